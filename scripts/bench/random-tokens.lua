-- wrk script: each request carries a different random, well-formed (checksummed) token, so the
-- validator must hash it and find it unknown. 10,000 distinct tokens per wrk thread, cycled.
local bit = require("bit")
local alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
local count = tonumber(os.getenv("TOKEN_COUNT") or "10000")

local crc_table = {}
for i = 0, 255 do
  local c = i
  for _ = 1, 8 do
    if bit.band(c, 1) ~= 0 then c = bit.bxor(0xEDB88320, bit.rshift(c, 1)) else c = bit.rshift(c, 1) end
  end
  crc_table[i] = c
end

local function crc32(s)
  local crc = 0xFFFFFFFF
  for i = 1, #s do
    crc = bit.bxor(crc_table[bit.band(bit.bxor(crc, s:byte(i)), 0xFF)], bit.rshift(crc, 8))
  end
  crc = bit.bnot(crc)
  if crc < 0 then crc = crc + 4294967296 end
  return crc
end

local function base62(value)
  local digits = {}
  for i = 6, 1, -1 do
    local d = value % 62
    digits[i] = alphabet:sub(d + 1, d + 1)
    value = math.floor(value / 62)
  end
  return table.concat(digits)
end

local tokens = {}
local index = 0

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  for n = 1, count do
    local chars = {}
    for i = 1, 32 do
      local r = math.random(1, 62)
      chars[i] = alphabet:sub(r, r)
    end
    local signed = "pk_live_" .. table.concat(chars)
    tokens[n] = signed .. base62(crc32(signed))
  end
end

function request()
  index = index % count + 1
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. tokens[index] })
end
