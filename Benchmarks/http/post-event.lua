-- wrk script: single-event POST /api/v2/events, cycling through four numbers of the demo account
-- (a lead, a customer, a contact card, no match), each to one user. Requests are formatted once.
--   SCREENPOP_API_TOKEN  the bearer token (default: the demo account's demo-token-change-me)
--   SCREENPOP_USER       the user notified (default: 8010001, a user of the demo account)
local token = os.getenv("SCREENPOP_API_TOKEN") or "demo-token-change-me"
local user = os.getenv("SCREENPOP_USER") or "8010001"
local numbers = { "+79161234567", "+79852223344", "+79265556677", "+79990000000" }
local requests = {}
local counter = 0

function init(args)
   for i, number in ipairs(numbers) do
      local body = '{"add":[{"type":"phone_call","phone_number":"' .. number .. '","users":[' .. user .. ']}]}'
      requests[i] = wrk.format("POST", "/api/v2/events", {
         ["Content-Type"] = "application/json",
         ["Authorization"] = "Bearer " .. token,
      }, body)
   end
end

function request()
   counter = counter + 1
   return requests[(counter % #requests) + 1]
end

local errors = 0
function response(status, headers, body)
   if status ~= 200 then
      errors = errors + 1
      if errors <= 3 then io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n") end
   end
end
