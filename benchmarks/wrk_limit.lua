-- Stops each wrk thread after a fixed number of requests, so a run is bounded in requests as well
-- as in time (-d). The first script argument is the number of requests each thread may send.
local budget
local sent = 0
local prebuilt

function init(args)
  budget = tonumber(args[1])
  prebuilt = wrk.format()
end

function request()
  sent = sent + 1
  if sent >= budget then
    wrk.thread:stop()
  end
  return prebuilt
end
