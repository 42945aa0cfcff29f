// The agent's page: opens the user's stream with the ticket in the page's address and shows each
// incoming call as a card, newest on top (docs/events-api.md, "The agent's page").
//
// Everything that comes from the stream or the CRM is untrusted text: it is only ever set with
// textContent or as an attribute value, never parsed as HTML. Links are only those the server made.
'use strict';

(() => {
  const STRINGS = {
    en: {
      title: 'ScreenPop',
      calls: 'Incoming calls',
      empty: 'No calls yet. Each incoming call appears here as a card, newest on top.',
      connecting: 'Connecting…',
      connected: 'Connected: new calls appear here.',
      reconnecting: 'Connection lost: reconnecting… Calls that come in meanwhile will appear.',
      expired: 'This link has expired. Ask for a new one: calls no longer arrive here.',
      invalid: 'This link is not valid (or has expired). Ask for a new one: calls do not arrive here.',
      noTicket: 'No ticket: this page needs a link with one.',
      helpTitle: 'Open this page with a ticket',
      helpText: 'The page shows the calls of one user, and its address carries a ticket that says who. Your telephony integration gives you the link; to make one yourself, post the user\u2019s id with the integration\u2019s token:',
      helpThen: 'Then open the page_url from the answer on this server.',
      agent: (name) => `Calls for ${name}`,
      agentId: (id) => `Calls for user ${id}`,
      lead: 'Lead',
      customer: 'Customer',
      contact: 'Contact',
      company: 'Company',
      unknownCaller: 'Not in amoCRM',
      newCaller: 'New caller',
      withheld: 'Number withheld',
      callerText: (text) => `Caller ID: ${text}`,
      stage: 'Stage',
      price: 'Price',
      responsible: 'Responsible',
      from: 'From',
      carrier: 'Carrier',
      localTime: 'Local time',
      zones: (count) => `${count} time zones`,
      open: {
        2: 'Open the lead in amoCRM',
        12: 'Open the customer in amoCRM',
        1: 'Open the contact in amoCRM',
        3: 'Open the company in amoCRM',
      },
      create: 'Create a contact in amoCRM',
      noLink: 'The amoCRM address of this account is not known: no link.',
      suffix: (digits) =>
        `Only the last ${digits} digits match: check that this is the right person.`,
      suffixNoDigits: 'Only the last digits match: check that this is the right person.',
      candidates: 'Also holding this number:',
      candidatesSuffix: 'Others whose number ends the same way:',
      rule: {
        single_active_lead: 'One active lead.',
        single_customer: 'One customer.',
        several_linked_entities: 'Several leads or customers: the card is shown.',
        no_linked_entities: 'No active leads or customers.',
        no_match: 'Nobody in amoCRM has this number.',
      },
      dismiss: 'Dismiss',
      dismissLabel: (what) => `Dismiss the call from ${what}`,
      announce: (number, what) => `Incoming call from ${number}: ${what}`,
      kinds: { 1: 'contact', 2: 'lead', 3: 'company', 12: 'customer' },
      receivedAt: (time) => `Call at ${time}`,
    },
    ru: {
      title: 'ScreenPop',
      calls: 'Входящие звонки',
      empty: 'Звонков пока нет. Каждый входящий звонок появится здесь карточкой, новые сверху.',
      connecting: 'Подключение…',
      connected: 'Подключено: новые звонки появятся здесь.',
      reconnecting: 'Связь потеряна: переподключение… Звонки за это время появятся.',
      expired: 'Срок действия ссылки истёк. Попросите новую: звонки сюда больше не приходят.',
      invalid: 'Ссылка недействительна (или устарела). Попросите новую: звонки сюда не приходят.',
      noTicket: 'Нет билета: странице нужна ссылка с ним.',
      helpTitle: 'Откройте страницу по ссылке с билетом',
      helpText: 'Страница показывает звонки одного пользователя; билет в её адресе говорит, чьи. Ссылку даёт ваша интеграция телефонии; чтобы получить её самому, отправьте id пользователя с токеном интеграции:',
      helpThen: 'Затем откройте на этом сервере page_url из ответа.',
      agent: (name) => `Звонки: ${name}`,
      agentId: (id) => `Звонки пользователя ${id}`,
      lead: 'Сделка',
      customer: 'Покупатель',
      contact: 'Контакт',
      company: 'Компания',
      unknownCaller: 'Номера нет в amoCRM',
      newCaller: 'Новый клиент',
      withheld: 'Номер скрыт',
      callerText: (text) => `Номер абонента: ${text}`,
      stage: 'Этап',
      price: 'Бюджет',
      responsible: 'Ответственный',
      from: 'Откуда',
      carrier: 'Оператор',
      localTime: 'Местное время',
      zones: (count) => `часовых поясов: ${count}`,
      open: {
        2: 'Открыть сделку в amoCRM',
        12: 'Открыть покупателя в amoCRM',
        1: 'Открыть контакт в amoCRM',
        3: 'Открыть компанию в amoCRM',
      },
      create: 'Создать контакт в amoCRM',
      noLink: 'Адрес amoCRM этого аккаунта неизвестен: ссылки нет.',
      suffix: (digits) =>
        `Совпали только последние ${digits} цифр: проверьте, тот ли это человек.`,
      suffixNoDigits: 'Совпали только последние цифры: проверьте, тот ли это человек.',
      candidates: 'Этот номер есть также у:',
      candidatesSuffix: 'Номер заканчивается так же у:',
      rule: {
        single_active_lead: 'Одна активная сделка.',
        single_customer: 'Один покупатель.',
        several_linked_entities: 'Несколько сделок или покупателей: открыта карточка.',
        no_linked_entities: 'Нет активных сделок и покупателей.',
        no_match: 'Этого номера нет в amoCRM.',
      },
      dismiss: 'Скрыть',
      dismissLabel: (what) => `Скрыть звонок с номера ${what}`,
      announce: (number, what) => `Входящий звонок с номера ${number}: ${what}`,
      kinds: { 1: 'контакт', 2: 'сделка', 3: 'компания', 12: 'покупатель' },
      receivedAt: (time) => `Звонок в ${time}`,
    },
  };

  const lang = document.documentElement.lang === 'ru' ? 'ru' : 'en';
  const t = STRINGS[lang];
  const MAX_CARDS = 50;
  const MAX_SEEN = 500;
  const FIRST_RETRY_MS = 2000;
  const MAX_RETRY_MS = 30000;

  const $ = (id) => document.getElementById(id);
  const statusElement = $('status');
  const statusText = $('status-text');
  const calls = $('calls');
  const empty = $('empty');
  const callsTitle = $('calls-title');
  const announcer = $('announcer');

  const ticket = new URLSearchParams(location.search).get('ticket');
  let source = null;
  let lastEventId = null;
  let retryDelay = FIRST_RETRY_MS;
  let retryTimer = null;
  let stopped = false;
  let cardCounter = 0;
  const seen = new Set();
  const seenOrder = [];

  // MARK: Page text

  for (const element of document.querySelectorAll('[data-i18n]')) {
    const text = t[element.dataset.i18n];
    if (typeof text === 'string') element.textContent = text;
  }
  document.title = t.title;

  function setState(state, text) {
    statusElement.dataset.state = state;
    const next = text || t[state];
    if (statusText.textContent !== next) statusText.textContent = next;
  }

  function updateCount() {
    const count = calls.children.length;
    empty.hidden = count > 0 || ticket === null || ticket === '';
    document.title = count > 0 ? `(${count}) ${t.title}` : t.title;
  }

  // MARK: Formatting

  const timeFormat = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const priceFormat = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });

  /** The caller's local time now: one time, or the earliest and latest of several zones. */
  function localTime(zones) {
    const now = new Date();
    const found = [];
    for (const zone of zones) {
      if (typeof zone !== 'string') continue;
      try {
        const parts = {};
        const format = new Intl.DateTimeFormat('en-US', {
          timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
          hour: 'numeric', minute: 'numeric',
        });
        for (const part of format.formatToParts(now)) parts[part.type] = Number(part.value);
        const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
        found.push({ zone, offset: Math.round((wall - now.getTime()) / 60000 + now.getUTCSeconds() / 60) });
      } catch (_) { /* a zone this browser does not know */ }
    }
    if (found.length === 0) return null;
    found.sort((a, b) => a.offset - b.offset);
    const show = (zone) =>
      new Intl.DateTimeFormat(lang, { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(now);
    const first = found[0];
    const last = found[found.length - 1];
    if (first.offset === last.offset) return `${show(first.zone)} (${first.zone})`;
    return `${show(first.zone)}–${show(last.zone)} (${t.zones(found.length)})`;
  }

  function refreshLocalTimes() {
    for (const element of calls.querySelectorAll('[data-zones]')) {
      const text = localTime(JSON.parse(element.dataset.zones));
      if (text !== null) element.textContent = text;
    }
  }

  // MARK: Building cards

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** A link the server made, opened in a new tab without telling amoCRM where it came from. */
  function link(href, text, className) {
    if (typeof href !== 'string' || !/^https?:\/\//i.test(href)) return element('span', className, text);
    const anchor = element('a', className, text);
    anchor.href = href;
    anchor.target = '_blank';
    anchor.rel = 'noopener noreferrer';
    return anchor;
  }

  function nameOf(entity) {
    return entity && typeof entity.name === 'string' && entity.name.trim() !== '' ? entity.name : null;
  }

  function kindOf(notification) {
    const type = notification.target && notification.target.element_type;
    switch (notification.action) {
      case 'open_lead': return { type: 2, label: t.lead, entity: notification.lead };
      case 'open_customer': return { type: 12, label: t.customer, entity: notification.customer };
      case 'open_contact': return { type: 1, label: t.contact, entity: notification.contact };
      case 'open_company': return { type: 3, label: t.company, entity: notification.company };
      case 'open_card':
        return type === 3
          ? { type: 3, label: t.company, entity: notification.company }
          : { type: 1, label: t.contact, entity: notification.contact };
      default: return { type: null, label: t.newCaller, entity: null };
    }
  }

  function addFact(list, label, value, field) {
    if (value === null || value === undefined || value === '') return;
    const row = element('div', 'fact');
    row.append(element('dt', null, label));
    const definition = element('dd');
    if (field) definition.dataset.field = field;
    if (value instanceof Node) definition.append(value); else definition.textContent = String(value);
    row.append(definition);
    list.append(row);
  }

  function candidatesList(notification, suffix) {
    const candidates = Array.isArray(notification.candidates) ? notification.candidates : [];
    if (candidates.length === 0) return null;
    const box = element('div', 'card__candidates');
    box.append(element('p', 'card__candidates-title', suffix ? t.candidatesSuffix : t.candidates));
    const list = element('ul');
    for (const candidate of candidates) {
      const item = element('li');
      item.dataset.field = 'candidate';
      const kind = t.kinds[candidate.element_type] || '';
      const label = nameOf(candidate) || `${kind} ${candidate.element_id ?? ''}`.trim();
      item.append(link(candidate.link, label));
      const detail = [kind, candidate.number].filter((part) => part).join(', ');
      if (detail) item.append(element('span', 'card__muted', ` (${detail})`));
      list.append(item);
    }
    box.append(list);
    return box;
  }

  function buildCard(notification, eventId) {
    const kind = kindOf(notification);
    const id = `call-${++cardCounter}`;
    const item = element('li', 'card');
    item.dataset.eventId = eventId || '';
    item.dataset.uid = notification.uid || '';
    item.dataset.action = notification.action || '';
    const article = element('article', 'card__body');
    article.setAttribute('aria-labelledby', `${id}-number ${id}-title`);

    const head = element('div', 'card__head');
    head.append(element('span', `card__kind card__kind--${kind.type ?? 'new'}`, kind.label));
    const when = new Date(notification.time);
    if (!Number.isNaN(when.getTime())) {
      const time = element('time', 'card__time', timeFormat.format(when));
      time.dateTime = notification.time;
      time.title = t.receivedAt(when.toLocaleString(lang));
      head.append(time);
    }
    article.append(head);

    const withheld = notification.e164 === null || notification.e164 === undefined;
    const number = withheld ? t.withheld : (notification.display_number || notification.e164);
    const numberHeading = element('h3', 'card__number', number);
    numberHeading.id = `${id}-number`;
    numberHeading.dataset.field = 'number';
    article.append(numberHeading);
    if (withheld && notification.phone_number) {
      article.append(element('p', 'card__muted', t.callerText(notification.phone_number)));
    }

    const suffix = notification.match === 'suffix';
    if (suffix) {
      const warning = element('div', 'card__warning');
      warning.dataset.field = 'warning';
      warning.setAttribute('role', 'note');
      warning.append(element('p', null,
        Number.isInteger(notification.match_digits) ? t.suffix(notification.match_digits) : t.suffixNoDigits));
      const candidates = candidatesList(notification, true);
      if (candidates) warning.append(candidates);
      article.append(warning);
    }

    // A withheld number has nothing to look up: its heading says all.
    const titleText = nameOf(kind.entity) || nameOf(notification.target)
      || (kind.type === null ? (withheld ? null : t.unknownCaller)
        : `${kind.label} ${notification.target && notification.target.element_id !== null ? notification.target.element_id : ''}`.trim());
    if (titleText !== null) {
      const title = element('p', 'card__title', titleText);
      title.id = `${id}-title`;
      title.dataset.field = 'title';
      article.append(title);
    } else {
      article.setAttribute('aria-labelledby', `${id}-number`);
    }

    const facts = element('dl', 'card__facts');
    const lead = notification.lead;
    if (kind.type === 2 && lead) {
      const stage = [lead.pipeline, lead.status].filter((part) => typeof part === 'string' && part !== '').join(' → ');
      addFact(facts, t.stage, stage, 'stage');
      // 0 is amoCRM's price when none was entered.
      if (typeof lead.price === 'number' && lead.price !== 0) {
        addFact(facts, t.price, priceFormat.format(lead.price), 'price');
      }
    }
    const contact = notification.contact;
    if (kind.type !== 1 && nameOf(contact)) addFact(facts, t.contact, link(contact.link, contact.name), 'contact');
    const company = notification.company;
    if (kind.type !== 3 && nameOf(company)) addFact(facts, t.company, link(company.link, company.name), 'company');
    if (nameOf(notification.responsible_user)) {
      addFact(facts, t.responsible, notification.responsible_user.name, 'responsible');
    }
    const caller = notification.caller;
    if (caller) {
      addFact(facts, t.from, caller.location, 'location');
      addFact(facts, t.carrier, caller.carrier, 'carrier');
      if (Array.isArray(caller.time_zones) && caller.time_zones.length > 0) {
        const text = localTime(caller.time_zones);
        if (text !== null) {
          const span = element('span', null, text);
          span.dataset.zones = JSON.stringify(caller.time_zones);
          addFact(facts, t.localTime, span, 'local-time');
        }
      }
    }
    if (facts.children.length > 0) article.append(facts);

    // An unknown caller's title already says why.
    const why = kind.type === null ? null : (notification.rule && t.rule[notification.rule]) || notification.reason;
    if (why) article.append(element('p', 'card__why', why));
    if (!suffix) {
      const candidates = candidatesList(notification, false);
      if (candidates) article.append(candidates);
    }

    const actions = element('div', 'card__actions');
    const label = kind.type === null ? t.create : t.open[kind.type];
    if (typeof notification.link === 'string' && notification.link !== '') {
      const open = link(notification.link, label, 'button button--primary');
      open.dataset.field = 'open';
      actions.append(open);
    } else if (!withheld) {
      actions.append(element('p', 'card__muted', t.noLink));
    }
    const dismiss = element('button', 'button button--quiet', t.dismiss);
    dismiss.type = 'button';
    dismiss.dataset.field = 'dismiss';
    dismiss.setAttribute('aria-label', t.dismissLabel(number));
    dismiss.addEventListener('click', () => dismissCard(item));
    actions.append(dismiss);
    article.append(actions);

    item.append(article);
    return { item, announcement: t.announce(number, titleText ? `${kind.label}, ${titleText}` : kind.label) };
  }

  // MARK: The list

  /** Whether event id `a` is later than `b` (ids are decimal integers beyond 2^53 one day). */
  function isLater(a, b) {
    try { return BigInt(a) > BigInt(b); } catch (_) { return false; }
  }

  function remember(key) {
    if (!key) return false;
    if (seen.has(key)) return true;
    seen.add(key);
    seenOrder.push(key);
    if (seenOrder.length > MAX_SEEN) seen.delete(seenOrder.shift());
    return false;
  }

  function showCall(notification, eventId) {
    // A replay after a reconnect may overlap what was shown: one card per notification.
    const repeatedEvent = eventId ? seen.has(`id:${eventId}`) : false;
    const repeatedUID = notification.uid ? seen.has(`uid:${notification.uid}`) : false;
    if (eventId) remember(`id:${eventId}`);
    if (notification.uid) remember(`uid:${notification.uid}`);
    if (repeatedEvent || repeatedUID) return;

    const { item, announcement } = buildCard(notification, eventId);
    // Newest on top, by event id: a relayed event may arrive after a later one.
    let before = calls.firstElementChild;
    while (before && eventId && before.dataset.eventId && isLater(before.dataset.eventId, eventId)) {
      before = before.nextElementSibling;
    }
    calls.insertBefore(item, before);
    while (calls.children.length > MAX_CARDS) calls.lastElementChild.remove();
    announcer.textContent = announcement;
    updateCount();
  }

  function dismissCard(item) {
    const next = item.nextElementSibling || item.previousElementSibling;
    const hadFocus = item.contains(document.activeElement);
    item.remove();
    updateCount();
    if (!hadFocus) return;
    const target = next && next.querySelector('[data-field="dismiss"]');
    (target || callsTitle).focus();
  }

  // MARK: The connection

  function apiURL(path, extra) {
    const url = new URL(path, location.origin);
    url.searchParams.set('ticket', ticket);
    for (const [key, value] of Object.entries(extra || {})) url.searchParams.set(key, value);
    return url.toString();
  }

  function scheduleRetry() {
    if (stopped || retryTimer !== null) return;
    const delay = retryDelay + Math.floor(Math.random() * 500);
    retryDelay = Math.min(retryDelay * 2, MAX_RETRY_MS);
    retryTimer = setTimeout(() => { retryTimer = null; checkTicket(); }, delay);
  }

  function stop(state, text) {
    stopped = true;
    if (source) { source.close(); source = null; }
    if (retryTimer !== null) { clearTimeout(retryTimer); retryTimer = null; }
    setState(state, text);
  }

  /** Asks the server about the ticket: EventSource cannot tell a refused ticket from a network error. */
  async function checkTicket() {
    if (stopped) return;
    let response;
    try {
      response = await fetch(apiURL('/api/v2/events/ticket'), { cache: 'no-store', credentials: 'omit' });
    } catch (_) {
      setState('reconnecting');
      scheduleRetry();
      return;
    }
    if (response.status === 401) {
      let code = null;
      try { code = (await response.json()).error.code; } catch (_) { /* no JSON: expired anyway */ }
      // Forged or expired, the page can do nothing more; the code only changes the words.
      statusElement.dataset.code = code || '';
      stop('expired', code === 'expired_ticket' ? t.expired : t.invalid);
      return;
    }
    if (!response.ok) {
      setState('reconnecting');
      scheduleRetry();
      return;
    }
    try { greet(await response.json()); } catch (_) { /* the greeting is optional */ }
    connect();
  }

  function greet(info) {
    const agent = $('agent');
    const name = typeof info.user_name === 'string' && info.user_name !== '' ? t.agent(info.user_name)
      : (info.user_id !== undefined ? t.agentId(info.user_id) : null);
    if (name === null) return;
    agent.textContent = name;
    agent.hidden = false;
  }

  function connect() {
    if (stopped) return;
    if (source) source.close();
    // A fresh EventSource does not know the last id: the query parameter carries it.
    const stream = new EventSource(
      apiURL('/api/v2/events/stream', lastEventId === null ? {} : { last_event_id: lastEventId }));
    source = stream;
    stream.onopen = () => {
      retryDelay = FIRST_RETRY_MS;
      setState('connected');
    };
    stream.onmessage = (event) => {
      let notification;
      try { notification = JSON.parse(event.data); } catch (_) { return; }
      if (event.lastEventId) lastEventId = event.lastEventId;
      if (notification && typeof notification === 'object') showCall(notification, event.lastEventId);
    };
    // The server ends a ticket's stream when the ticket expires, and says so first.
    stream.addEventListener('ticket-expired', () => {
      statusElement.dataset.code = 'expired_ticket';
      stop('expired', t.expired);
    });
    stream.onerror = () => {
      if (stream !== source) return;
      setState('reconnecting');
      // CONNECTING: the browser reconnects by itself, with Last-Event-ID. CLOSED: it gave up (a
      // refusal, or a network error it deems final): ask about the ticket, then open a new one.
      if (stream.readyState === EventSource.CLOSED) {
        source = null;
        scheduleRetry();
      }
    };
  }

  function showHelp() {
    const command = `curl -s -X POST ${location.origin}/api/v2/events/stream-tickets \\\n`
      + "  -H 'Authorization: Bearer <token>' -H 'Content-Type: application/json' \\\n"
      + "  -d '{\"user_id\": <user id>}'";
    $('help-command').textContent = command;
    $('help').hidden = false;
    stopped = true;
    setState('no-ticket', t.noTicket);
  }

  window.addEventListener('online', () => {
    if (stopped || source) return;
    if (retryTimer !== null) { clearTimeout(retryTimer); retryTimer = null; }
    retryDelay = FIRST_RETRY_MS;
    checkTicket();
  });
  setInterval(refreshLocalTimes, 30000);

  if (ticket === null || ticket === '') {
    showHelp();
  } else {
    setState('connecting');
    checkTicket();
  }
  updateCount();
})();
