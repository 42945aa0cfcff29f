#!/usr/bin/env python3
"""The agent's page in a real browser, against a real `screenpop serve` on the demo account.

Run through scripts/browser-test.sh (which says what it needs); directly:

    python3 Tests/Browser/page_test.py --screenpop .build/debug/screenpop
    python3 Tests/Browser/page_test.py --screenpop .build/debug/screenpop --screenshot docs/images/agent-page.png

It mints a ticket with the demo token, opens the page in headless Chromium (Debian's chromium and
chromium-driver, driven by PyPI selenium), posts calls with urllib and reads the cards from the DOM:
names, numbers, links, the warning of a last-digits match, an unknown and a withheld caller; checks
the contrast of every text in both colour schemes and the width at 360 px. It dismisses a card with
the keyboard, opens the page with a forged ticket, with one that expires, without one, in Russian,
then stops the server (SIGTERM), starts it again on the same port, posts a call at once and waits
for the page to show it. Every wait is bounded; the server and the browser are stopped even on
failure, and a failure leaves a screenshot, the page's DOM and console and the server's log in a
directory it names.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ACCOUNT = os.path.join(ROOT, "Examples", "demo-account")
AMOCRM = "https://okna-plus-demo.amocrm.ru"
USER = 8010001  # Анна Смирнова
WAIT = 30  # seconds: a bound against hanging on 2 busy cores, not a measure of speed


class Failure(Exception):
    """A check that did not hold: the message says what was expected and what was found."""


def check(condition, message):
    if not condition:
        raise Failure(message)


def log(message):
    print(message, flush=True)


# MARK: The server


class Server:
    """`screenpop serve` on the demo account, its log read line by line into memory and a file."""

    def __init__(self, binary, port, log_path):
        self.binary = binary
        self.port = port
        self.log_path = log_path
        self.process = None
        self.lines = []
        self.listening = threading.Event()
        # One ticket key for every start: a restarted server takes the tickets it minted before.
        self.environment = {k: v for k, v in os.environ.items() if k != "SCREENPOP_API_TOKEN"}
        self.environment["SCREENPOP_TICKET_KEY"] = os.urandom(32).hex()

    def start(self):
        self.listening.clear()
        self.lines = []
        self.process = subprocess.Popen(
            [self.binary, "serve", "--account", ACCOUNT, "--port", str(self.port), "--heartbeat", "5",
             "--log-level", "debug"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace",
            env=self.environment)
        threading.Thread(target=self._read, args=(self.process,), daemon=True).start()
        if not self.listening.wait(WAIT):
            self.stop()
            raise Failure(f"screenpop serve did not log 'listening' within {WAIT} s:\n" + "".join(self.lines[-20:]))
        return self

    def _read(self, process):
        with open(self.log_path, "a", encoding="utf-8") as file:
            for line in process.stdout:
                file.write(line)
                file.flush()
                self.lines.append(line)
                found = re.search(r"address=\S*:(\d+)\b.*\blistening$", line.rstrip("\n"))
                if found:
                    self.port = int(found.group(1))
                    self.listening.set()

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        """SIGTERM (a graceful shutdown), then SIGKILL if it does not end."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(WAIT)


def request(method, url, body=None, headers=None):
    """(status, parsed JSON or text) of one HTTP request."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=WAIT) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def token():
    with open(os.path.join(ACCOUNT, "api-token"), encoding="utf-8") as file:
        return file.read().strip()


def mint_ticket(server, expires_in=None):
    body = {"user_id": USER} if expires_in is None else {"user_id": USER, "expires_in": expires_in}
    status, answer = request(
        "POST", server.base + "/api/v2/events/stream-tickets", body,
        {"Authorization": f"Bearer {token()}", "Content-Type": "application/json"})
    check(status == 200, f"minting a ticket: expected 200, got {status}: {answer}")
    check(isinstance(answer, dict) and answer.get("page_url", "").startswith("/?ticket="),
          f"minting a ticket: no page_url in {answer}")
    return answer


def post_call_answer(server, phone_number):
    return request(
        "POST", server.base + "/api/v2/events",
        {"add": [{"type": "phone_call", "phone_number": phone_number, "users": [USER]}]},
        {"Authorization": f"Bearer {token()}", "Content-Type": "application/json"})


def post_call(server, phone_number):
    """Posts a call to the user; returns its uid."""
    status, answer = post_call_answer(server, phone_number)
    check(status == 200, f"posting a call from {phone_number!r}: expected 200, got {status}: {answer}")
    return answer["_embedded"]["items"][0]["uid"]


# MARK: The browser


def browser(lang="en-US"):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1000,1400", "--force-device-scale-factor=1", "--hide-scrollbars",
                     f"--lang={lang}", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": lang})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


def wait_for(driver, what, condition, timeout=WAIT):
    """Waits until `condition(driver)` is truthy and returns it, or fails saying what it waited for."""
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(d))
    except TimeoutException:
        state = driver.execute_script(
            "const s = document.getElementById('status');"
            "return s ? s.dataset.state + ': ' + s.textContent.trim() : 'no status element'")
        raise Failure(f"waited {timeout} s for {what}; the page's status is {state!r}") from None


def status_state(driver):
    return driver.find_element(By.ID, "status").get_attribute("data-state")


def wait_state(driver, state):
    wait_for(driver, f"the status '{state}'", lambda d: status_state(d) == state)
    return driver.find_element(By.ID, "status").text


def cards(driver):
    """Every card, newest first, as the DOM holds it."""
    return driver.execute_script("""
        const text = (card, field) => {
          const node = card.querySelector(`[data-field="${field}"]`);
          return node ? node.textContent.trim() : null;
        };
        const href = (card, selector) => {
          const node = card.querySelector(selector);
          return node && node.tagName === 'A' ? node.getAttribute('href') : null;
        };
        return [...document.querySelectorAll('#calls > li')].map((card) => ({
          uid: card.dataset.uid, eventId: card.dataset.eventId, action: card.dataset.action,
          kind: card.querySelector('.card__kind').textContent.trim(),
          number: text(card, 'number'), title: text(card, 'title'), stage: text(card, 'stage'),
          price: text(card, 'price'), contact: text(card, 'contact'), company: text(card, 'company'),
          responsible: text(card, 'responsible'), location: text(card, 'location'),
          localTime: text(card, 'local-time'), warning: text(card, 'warning'),
          open: href(card, '[data-field="open"]'), openText: text(card, 'open'),
          openTarget: card.querySelector('[data-field="open"]')?.getAttribute('target') ?? null,
          openRel: card.querySelector('[data-field="open"]')?.getAttribute('rel') ?? null,
          contactLink: href(card, '[data-field="contact"] a'),
          companyLink: href(card, '[data-field="company"] a'),
          candidates: [...card.querySelectorAll('[data-field="candidate"]')].map((item) => ({
            text: item.textContent.trim(), href: item.querySelector('a')?.getAttribute('href') ?? null})),
          dismissTag: card.querySelector('[data-field="dismiss"]')?.tagName ?? null,
        }));
    """)


def wait_card(driver, uid):
    return wait_for(driver, f"the card of call {uid}",
                    lambda d: next((card for card in cards(d) if card["uid"] == uid), None))


def expect(card, **expected):
    for key, value in expected.items():
        check(card.get(key) == value,
              f"the card of {card.get('number')!r} ({card.get('action')}): {key} should be {value!r}, is {card.get(key)!r}")


CONTRAST = r"""
// WCAG 2 contrast of every visible text of the page against the background it is drawn on.
const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
const rgba = (text) => (text.match(/[\d.]+/g) || []).map(Number);
const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
const background = (node) => {
  for (; node; node = node.parentElement) {
    const color = rgba(getComputedStyle(node).backgroundColor);
    if (color.length === 3 || color[3] > 0) return color;
  }
  return [255, 255, 255];
};
const worst = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let text = walker.nextNode(); text; text = walker.nextNode()) {
  const node = text.parentElement;
  if (!text.textContent.trim() || !node.checkVisibility() || node.closest('.visually-hidden')) continue;
  const style = getComputedStyle(node);
  const [l1, l2] = [luminance(rgba(style.color)), luminance(background(node))];
  const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  if (!(ratio >= 4.5)) worst.push(`${ratio.toFixed(2)}: ${text.textContent.trim().slice(0, 40)} (${style.color} on ${background(node)})`);
}
return worst;
"""


def check_contrast(driver, scheme):
    """Every visible text at 4.5:1 or more (WCAG AA), in the light or dark scheme."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
    low = driver.execute_script(CONTRAST)
    check(not low, f"text below WCAG AA contrast (4.5:1) in the {scheme} scheme:\n" + "\n".join(low))


def page_problems(driver):
    """Script errors and Content-Security-Policy refusals in the browser's console."""
    entries = driver.get_log("browser")
    return [entry["message"] for entry in entries
            if "Content Security Policy" in entry["message"] or "Uncaught" in entry["message"]]


# MARK: The scenario


def run(binary, artifacts):
    server = Server(binary, 0, os.path.join(artifacts, "server.log")).start()
    driver = None
    try:
        driver = browser()
        scenario(server, driver, binary)
    except BaseException:
        if driver is not None:
            try:
                driver.save_screenshot(os.path.join(artifacts, "failure.png"))
                with open(os.path.join(artifacts, "failure.html"), "w", encoding="utf-8") as file:
                    file.write(driver.page_source)
                with open(os.path.join(artifacts, "console.txt"), "w", encoding="utf-8") as file:
                    for entry in driver.get_log("browser"):
                        file.write(f"{entry['level']} {entry['message']}\n")
            except Exception as error:  # the browser itself may be what failed
                log(f"(could not save the page: {error})")
        raise
    finally:
        if driver is not None:
            driver.quit()
        server.stop()


def scenario(server, driver, binary):
    ticket = mint_ticket(server)
    log(f"ticket minted for user {ticket.get('user_id')}, expires in {ticket.get('expires_in')} s")

    # The page in English (the browser's Accept-Language), connected and greeting the agent.
    driver.get(server.base + ticket["page_url"])
    check(driver.execute_script("return document.documentElement.lang") == "en", "the page should be in English")
    text = wait_state(driver, "connected")
    check("Connected" in text, f"the connected status should say so, says {text!r}")
    agent = wait_for(driver, "the agent's name", lambda d: d.find_element(By.ID, "agent").text)
    check("Анна Смирнова" in agent, f"the page should greet Анна Смирнова, says {agent!r}")
    check(driver.find_element(By.ID, "empty").is_displayed(), "an empty list should say that no call came yet")
    log("ok: the page connects and greets the agent")

    # One call of each kind; the cards come newest on top.
    lead = wait_card(driver, post_call(server, "+79161234567"))
    expect(lead, action="open_lead", kind="Lead", number="8 (916) 123-45-67",
           title="Окна в квартиру на Профсоюзной", price="185,000", contact="Иван Петров",
           contactLink=f"{AMOCRM}/contacts/detail/21000001", responsible="Дмитрий Козлов",
           open=f"{AMOCRM}/leads/detail/31000001", openText="Open the lead in amoCRM",
           openTarget="_blank", openRel="noopener noreferrer", warning=None, dismissTag="BUTTON")
    check(lead["stage"] and "Переговоры" in lead["stage"], f"the lead's stage should be shown, is {lead['stage']!r}")
    customer = wait_card(driver, post_call(server, "+79852223344"))
    expect(customer, action="open_customer", kind="Customer", title="Елена Васильева — сервисный договор",
           open=f"{AMOCRM}/customers/detail/41000001")
    contact = wait_card(driver, post_call(server, "8 926 555-66-77"))
    expect(contact, action="open_contact", kind="Contact", number="8 (926) 555-66-77", title="Наталья Попова",
           open=f"{AMOCRM}/contacts/detail/21000006", openText="Open the contact in amoCRM")
    company = wait_card(driver, post_call(server, "+7 812 600-70-80"))
    expect(company, action="open_company", kind="Company", title="ООО «Балтийские окна»",
           open=f"{AMOCRM}/companies/detail/51000002")
    shared = wait_card(driver, post_call(server, "+7 495 123-45-67"))
    expect(shared, action="open_contact", title="Павел Никитин", company="ООО «СтройМастер»",
           companyLink=f"{AMOCRM}/companies/detail/51000001", open=f"{AMOCRM}/contacts/detail/21000009")
    check(any(c["href"] == f"{AMOCRM}/companies/detail/51000001" and "СтройМастер" in c["text"]
              for c in shared["candidates"]),
          f"the company that holds the same number should be a candidate: {shared['candidates']}")
    suffix = wait_card(driver, post_call(server, "+380 67 123 4567"))
    expect(suffix, action="open_lead", number="+380 67 123 4567", open=f"{AMOCRM}/leads/detail/31000018",
           contact="Оксана Бондаренко", price=None)  # its price is 0: none entered
    check(suffix["warning"] and "last 10 digits" in suffix["warning"],
          f"a last-digits match should be shown as a warning, is {suffix['warning']!r}")
    unknown = wait_card(driver, post_call(server, "+79160001122"))
    expect(unknown, action="create_contact", kind="New caller", number="8 (916) 000-11-22", title="Not in amoCRM",
           open=f"{AMOCRM}/contacts/add?phone=%2B79160001122", openText="Create a contact in amoCRM")
    check(unknown["location"], f"an unknown caller's card should say where the number is from: {unknown}")
    check(unknown["localTime"] and re.search(r"\d\d:\d\d", unknown["localTime"]),
          f"an unknown caller's card should show the caller's local time, is {unknown['localTime']!r}")
    # A withheld caller id: the server notifies it (create-contact, no number), and the card says so.
    status, answer = post_call_answer(server, "Unknown")
    check(status == 200, f"a withheld caller id should be taken: {status} {answer}")
    check(answer["_embedded"]["items"][0]["element_id"] is None, f"a withheld caller id has no element: {answer}")
    withheld = wait_card(driver, answer["_embedded"]["items"][0]["uid"])
    expect(withheld, action="create_contact", number="Number withheld", title=None)
    expected_order = [withheld, unknown, suffix, shared, company, contact, customer, lead]
    log("ok: a withheld caller id gets a card that says so")
    order = [card["uid"] for card in cards(driver)]
    check(order == [card["uid"] for card in expected_order], f"the cards should be newest first: {order}")
    check(not driver.find_element(By.ID, "empty").is_displayed(), "the empty note should be gone")
    count = len(expected_order)
    check(driver.title.startswith(f"({count})"), f"the title should count the calls, is {driver.title!r}")
    log(f"ok: {count} calls, {count} cards, newest on top, with their names, numbers and links")

    # Readable: AA contrast in both schemes, and nothing wider than a narrow phone.
    check_contrast(driver, "dark")
    check_contrast(driver, "light")
    driver.set_window_size(360, 800)
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    driver.set_window_size(1000, 1400)
    check(overflow <= 0, f"at 360 px the page should not scroll sideways; it is {overflow} px too wide")
    log("ok: every text meets WCAG AA contrast in the light and dark schemes; nothing overflows at 360 px")

    # Dismiss with the keyboard: the card goes, and the focus moves to the next card's button.
    button = driver.find_element(By.CSS_SELECTOR, f'li[data-uid="{company["uid"]}"] [data-field="dismiss"]')
    driver.execute_script("arguments[0].focus()", button)
    button.send_keys(Keys.ENTER)
    wait_for(driver, "the dismissed card to go", lambda d: company["uid"] not in [c["uid"] for c in cards(d)])
    focused = driver.execute_script(
        "const a = document.activeElement; return [a.dataset.field, a.closest('li')?.dataset.uid]")
    check(focused == ["dismiss", contact["uid"]],
          f"after a dismissal the focus should be on the next card's dismiss button, is on {focused}")
    check(len(cards(driver)) == count - 1, f"{count - 1} cards should remain")
    log("ok: a card is dismissed with the keyboard, and the focus moves to the next one")

    # Other pages, in other tabs: a forged ticket, no ticket, Russian.
    main_tab = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(server.base + "/?ticket=forged-" + "x" * 40)
    text = wait_state(driver, "expired")
    check("not valid" in text or "expired" in text, f"a forged ticket should say the link is not valid: {text!r}")
    check(driver.find_elements(By.CSS_SELECTOR, "#calls > li") == [], "a forged ticket should show no calls")
    log(f"ok: a forged ticket shows the expired state ({text!r})")

    # A ticket that expires while the page is open: at the first heartbeat (5 s) after its expiry
    # the server ends the stream with a ticket-expired event, which the page shows at once.
    short = mint_ticket(server, expires_in=10)
    problems = page_problems(driver)  # and the console read so far, so that only this page's is next
    driver.get(server.base + short["page_url"])
    wait_state(driver, "connected")
    text = wait_state(driver, "expired")
    code = driver.find_element(By.ID, "status").get_attribute("data-code")
    check(code == "expired_ticket" and "expired" in text,
          f"an expired ticket should say the link has expired: {text!r} ({code})")
    refused = [entry["message"] for entry in driver.get_log("browser") if "401" in entry["message"]]
    check(not refused, f"the page should stop at the ticket-expired event, not try the stream again: {refused}")
    log(f"ok: a ticket that expires shows the expired state ({text!r})")

    driver.get(server.base + "/")
    wait_state(driver, "no-ticket")
    check(driver.find_element(By.ID, "help").is_displayed(), "without a ticket the page should explain how to get one")
    command = driver.find_element(By.ID, "help-command").text
    check("/api/v2/events/stream-tickets" in command, f"the help should show how to mint a ticket: {command!r}")
    log("ok: without a ticket the page says how to get one")

    driver.get(server.base + ticket["page_url"] + "&lang=ru")
    check(driver.execute_script("return document.documentElement.lang") == "ru", "?lang=ru should give lang=ru")
    text = wait_state(driver, "connected")
    check(text.startswith("Подключено"), f"the Russian page's status should be Russian, is {text!r}")
    russian = wait_card(driver, post_call(server, "+79161234567"))
    expect(russian, kind="Сделка", openText="Открыть сделку в amoCRM", price="185 000".replace(" ", "\u00a0"))
    check(driver.find_element(By.CSS_SELECTOR, '[data-field="dismiss"]').text == "Скрыть",
          "the Russian page's dismiss button should say Скрыть")
    problems += page_problems(driver)
    driver.close()
    driver.switch_to.window(main_tab)
    log("ok: ?lang=ru shows Russian labels")

    # The call that the Russian page got reached the main page too.
    wait_card(driver, russian["uid"])

    # A restart: the page says it is reconnecting, reconnects with Last-Event-ID, and shows the
    # call posted while it was away.
    before = [card["uid"] for card in cards(driver)]
    port = server.port
    server.stop()
    text = wait_state(driver, "reconnecting")
    check("reconnecting" in text, f"the status should say it is reconnecting: {text!r}")
    log("ok: the server stopped, the page is reconnecting")
    server.start()
    check(server.port == port, f"the server should start again on port {port}, not {server.port}")
    state_at_post = status_state(driver)
    missed = post_call(server, "+7 903 765-43-21")
    card = wait_card(driver, missed)
    expect(card, action="open_lead", open=f"{AMOCRM}/leads/detail/31000003")
    wait_state(driver, "connected")
    after = [card["uid"] for card in cards(driver)]
    check(after == [missed] + before, f"after the reconnect the new call should be on top, once, and nothing repeated: {after}")
    log(f"ok: after the restart the page reconnected and showed the call posted meanwhile (status when posted: {state_at_post})")

    # Every request was logged (debug), the page's address with its ticket in none of the lines.
    with open(server.log_path, encoding="utf-8") as file:
        server_log = file.read()
    check("GET / 200" in server_log and "/api/v2/events/ticket 200" in server_log,
          "the server's debug log should show the page's requests")
    check(ticket["ticket"] not in server_log, "the ticket is in the server's log")
    log("ok: the ticket is in no line of the server's log")

    problems += page_problems(driver)
    check(not problems, "the browser's console has script errors or CSP refusals:\n" + "\n".join(problems))
    log("ok: no script error and no Content-Security-Policy refusal")


# MARK: The screenshot


def screenshot(binary, path, artifacts):
    """A real run with a few realistic calls, saved as the README's picture."""
    server = Server(binary, 0, os.path.join(artifacts, "server.log")).start()
    driver = None
    try:
        driver = browser()
        driver.set_window_size(900, 1200)
        ticket = mint_ticket(server)
        driver.get(server.base + ticket["page_url"] + "&lang=en")
        wait_state(driver, "connected")
        for number in ("+7 495 123-45-67", "+380 67 123 4567", "+79160001122", "+79161234567"):
            wait_card(driver, post_call(server, number))
        driver.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
        # The whole page in one picture: a viewport as tall as the page.
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 900, "height": min(height, 4000), "deviceScaleFactor": 1, "mobile": False})
        time.sleep(0.3)  # let the resized page paint
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        check(driver.save_screenshot(path), f"could not save {path}")
        log(f"wrote {path}")
    finally:
        if driver is not None:
            driver.quit()
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--screenpop", default=os.path.join(ROOT, ".build", "debug", "screenpop"))
    parser.add_argument("--screenshot", metavar="PNG", help="write the README's screenshot instead of testing")
    arguments = parser.parse_args()
    if not os.access(arguments.screenpop, os.X_OK):
        sys.exit(f"no screenpop binary at {arguments.screenpop}: build it (swift build) or pass its path")
    artifacts = tempfile.mkdtemp(prefix="screenpop-browser-")
    try:
        if arguments.screenshot:
            screenshot(os.path.abspath(arguments.screenpop), arguments.screenshot, artifacts)
        else:
            run(os.path.abspath(arguments.screenpop), artifacts)
            log("PASS: the agent's page in Chromium")
    except Failure as failure:
        log(f"FAIL: {failure}\n(the server's log, and the page's screenshot, DOM and console: {artifacts})")
        sys.exit(1)
    except Exception:
        traceback.print_exc()
        log(f"FAIL: the test itself failed (the server's log and the page: {artifacts})")
        sys.exit(1)
    shutil.rmtree(artifacts, ignore_errors=True)


if __name__ == "__main__":
    main()
