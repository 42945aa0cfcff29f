// normalize_stream: Debian's libphonenumber (C++) doing what `screenpop normalize --tsv` does, as a
// whole process: lines `REGION<TAB>RAW` on standard input, one JSON object a line on standard output
// with the same members (input, e164, error, valid, type, region, extension, national, international,
// rfc3966). Benchmarks/compare times it against screenpop on the same input (docs/benchmarks.md).
//
//   g++ -O2 -std=c++17 normalize_stream.cc -o normalize_stream -lphonenumber -lprotobuf
//   normalize_stream [--e164-only] < lines.tsv > out.jsonl
//
// --e164-only writes only input, e164, error and valid: the smaller loop of "E.164 and validity".
// Input is read in 1 MiB blocks and output written in 1 MiB blocks, as screenpop does.
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <unistd.h>

#include <cstring>
#include <string>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

static std::string out;

static void flush_out() {
  size_t offset = 0;
  while (offset < out.size()) {
    ssize_t n = write(1, out.data() + offset, out.size() - offset);
    if (n <= 0) _exit(1);
    offset += (size_t)n;
  }
  out.clear();
}

static void json_string(const std::string& s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += (char)c;
        }
    }
  }
  out += '"';
}

static void member(const char* name, const std::string& value, bool first = false) {
  if (!first) out += ", ";
  out += '"';
  out += name;
  out += "\": ";
  json_string(value);
}

static void null_member(const char* name) {
  out += ", \"";
  out += name;
  out += "\": null";
}

static const char* type_name(PhoneNumberUtil::PhoneNumberType type) {
  switch (type) {
    case PhoneNumberUtil::FIXED_LINE: return "FIXED_LINE";
    case PhoneNumberUtil::MOBILE: return "MOBILE";
    case PhoneNumberUtil::FIXED_LINE_OR_MOBILE: return "FIXED_LINE_OR_MOBILE";
    case PhoneNumberUtil::TOLL_FREE: return "TOLL_FREE";
    case PhoneNumberUtil::PREMIUM_RATE: return "PREMIUM_RATE";
    case PhoneNumberUtil::SHARED_COST: return "SHARED_COST";
    case PhoneNumberUtil::VOIP: return "VOIP";
    case PhoneNumberUtil::PERSONAL_NUMBER: return "PERSONAL_NUMBER";
    case PhoneNumberUtil::PAGER: return "PAGER";
    case PhoneNumberUtil::UAN: return "UAN";
    case PhoneNumberUtil::VOICEMAIL: return "VOICEMAIL";
    default: return "UNKNOWN";
  }
}

static const char* error_name(PhoneNumberUtil::ErrorType error) {
  switch (error) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return "INVALID_COUNTRY_CODE";
    case PhoneNumberUtil::NOT_A_NUMBER: return "NOT_A_NUMBER";
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD: return "TOO_SHORT_AFTER_IDD";
    case PhoneNumberUtil::TOO_SHORT_NSN: return "TOO_SHORT_NSN";
    case PhoneNumberUtil::TOO_LONG_NSN: return "TOO_LONG";
    default: return "NOT_A_NUMBER";
  }
}

static void line(const PhoneNumberUtil* util, const char* begin, const char* end, bool e164_only) {
  const char* tab = (const char*)memchr(begin, '\t', (size_t)(end - begin));
  if (!tab) {
    out += "{\"input\": ";
    json_string(std::string(begin, end));
    out += ", \"e164\": null, \"error\": \"MISSING_TAB\"}\n";
    return;
  }
  std::string region(begin, tab);
  std::string input(tab + 1, end);
  PhoneNumber number;
  PhoneNumberUtil::ErrorType error = util->Parse(input, region, &number);
  out += '{';
  member("input", input, true);
  if (error != PhoneNumberUtil::NO_PARSING_ERROR) {
    null_member("e164");
    member("error", error_name(error));
    null_member("valid");
    if (!e164_only) {
      null_member("type"); null_member("region"); null_member("extension");
      null_member("national"); null_member("international"); null_member("rfc3966");
    }
    out += "}\n";
    return;
  }
  std::string formatted;
  util->Format(number, PhoneNumberUtil::E164, &formatted);
  member("e164", formatted);
  null_member("error");
  out += util->IsValidNumber(number) ? ", \"valid\": true" : ", \"valid\": false";
  if (!e164_only) {
    member("type", type_name(util->GetNumberType(number)));
    std::string region_code;
    util->GetRegionCodeForNumber(number, &region_code);
    member("region", region_code);
    if (number.has_extension()) member("extension", number.extension()); else null_member("extension");
    util->Format(number, PhoneNumberUtil::NATIONAL, &formatted);
    member("national", formatted);
    util->Format(number, PhoneNumberUtil::INTERNATIONAL, &formatted);
    member("international", formatted);
    util->Format(number, PhoneNumberUtil::RFC3966, &formatted);
    member("rfc3966", formatted);
  }
  out += "}\n";
}

int main(int argc, char** argv) {
  bool e164_only = argc > 1 && std::strcmp(argv[1], "--e164-only") == 0;
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  const size_t block = 1 << 20;
  std::string buffer;
  out.reserve(block + 4096);
  char chunk[1 << 16];
  bool at_end = false;
  while (!at_end) {
    ssize_t n = read(0, chunk, sizeof chunk);
    if (n <= 0) at_end = true; else buffer.append(chunk, (size_t)n);
    size_t start = 0;
    while (true) {
      size_t newline = buffer.find('\n', start);
      if (newline == std::string::npos) break;
      size_t end = newline;
      if (end > start && buffer[end - 1] == '\r') --end;
      line(util, buffer.data() + start, buffer.data() + end, e164_only);
      start = newline + 1;
      if (out.size() >= block) flush_out();
    }
    buffer.erase(0, start);
  }
  if (!buffer.empty()) line(util, buffer.data(), buffer.data() + buffer.size(), e164_only);
  flush_out();
  return 0;
}
