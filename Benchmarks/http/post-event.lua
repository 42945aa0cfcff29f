-- wrk script: single-event POST /api/v2/events to the demo account, one user notified.
-- The request is built once (wrk.method/headers/body, no per-request Lua), so that wrk, which
-- shares the machine's cores with the server, spends as little CPU per request as it can.
--   SCREENPOP_API_TOKEN  the bearer token (default: the demo account's demo-token-change-me)
--   SCREENPOP_NUMBER     the caller's number (default: +79161234567, a contact with one active lead)
--   SCREENPOP_USER       the user notified (default: 8010001, a user of the demo account)
local token = os.getenv("SCREENPOP_API_TOKEN") or "demo-token-change-me"
local number = os.getenv("SCREENPOP_NUMBER") or "+79161234567"
local user = os.getenv("SCREENPOP_USER") or "8010001"

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = '{"add":[{"type":"phone_call","phone_number":"' .. number .. '","users":[' .. user .. ']}]}'

-- No response() callback: it would run Lua for every response. wrk reports failures itself
-- ("Non-2xx or 3xx responses: N").
