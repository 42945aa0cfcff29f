// parse_bench: Debian's libphonenumber (C++) on a corpus in the golden corpus's format
// (docs/golden-corpus.md), measured as screenpop-compare's `parse` mode measures ScreenPop.
//
//   g++ -O2 -std=c++17 parse_bench.cc -o parse_bench -lphonenumber -lprotobuf
//   parse_bench <corpus.tsv> <results.txt> [repeats] [formats.txt]
//
// Writes one line per input (the E.164 form, or ERROR) and prints one JSON line of timings: the
// median over inputs of each input's mean over `repeats` parses, the mean of a whole pass, the
// start-up (PhoneNumberUtil::GetInstance() and the first parse) and the peak resident set. With
// formats.txt, also formats every number that parsed NATIONAL, INTERNATIONAL and RFC3966, as
// screenpop-compare does: one line per input (the three TAB-separated, or ERROR) and, per format,
// the median of per-number means over `repeats` formats and the mean of a pass (parsing untimed).
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

static unsigned long long now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

// Peak resident set in KiB: VmHWM, which starts anew at exec (ru_maxrss keeps the parent's peak).
static long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

struct Input {
  std::string region;
  std::string text;
};

static std::string unescape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case '\\': out += '\\'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'x':
        if (i + 2 < s.size() + 1) {
          out += (char)std::strtol(s.substr(i + 1, 2).c_str(), nullptr, 16);
          i += 2;
        }
        break;
      default: out += '\\'; out += c;
    }
  }
  return out;
}

static volatile size_t sink;

static bool parse_to_e164(const PhoneNumberUtil* util, const Input& in, std::string* e164) {
  PhoneNumber number;
  if (util->Parse(in.text, in.region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
  util->Format(number, PhoneNumberUtil::E164, e164);
  return true;
}

// Formats every number that parsed; returns the JSON fields of the timings (", \"format_...\": ...").
static std::string format_numbers(const PhoneNumberUtil* util, const std::vector<Input>& inputs, const char* path,
                                  int repeats) {
  static const struct {
    const char* key;
    PhoneNumberUtil::PhoneNumberFormat format;
  } kFormats[] = {{"national", PhoneNumberUtil::NATIONAL},
                  {"international", PhoneNumberUtil::INTERNATIONAL},
                  {"rfc3966", PhoneNumberUtil::RFC3966}};
  FILE* out = std::fopen(path, "w");
  if (!out) {
    std::fprintf(stderr, "parse_bench: cannot write %s\n", path);
    std::exit(2);
  }
  std::vector<PhoneNumber> numbers;
  std::string text;
  for (const Input& in : inputs) {
    PhoneNumber number;
    if (util->Parse(in.text, in.region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
      std::fputs("ERROR\n", out);
      continue;
    }
    for (size_t f = 0; f < 3; ++f) {
      util->Format(number, kFormats[f].format, &text);
      if (f > 0) std::fputc('\t', out);
      std::fputs(text.c_str(), out);
    }
    std::fputc('\n', out);
    numbers.push_back(number);
  }
  std::fclose(out);
  char field[160];
  std::string json;
  std::snprintf(field, sizeof field, ", \"formatted_count\": %zu", numbers.size());
  json += field;
  for (const auto& f : kFormats) {
    unsigned long long p0 = now_ns();
    for (const PhoneNumber& number : numbers) {
      util->Format(number, f.format, &text);
      sink = text.size();
    }
    unsigned long long pass = now_ns() - p0;
    std::vector<unsigned long long> per;
    per.reserve(numbers.size());
    for (const PhoneNumber& number : numbers) {
      unsigned long long s = now_ns();
      for (int r = 0; r < repeats; ++r) {
        util->Format(number, f.format, &text);
        sink = text.size();
      }
      per.push_back((now_ns() - s) / repeats);
    }
    std::sort(per.begin(), per.end());
    std::snprintf(field, sizeof field, ", \"format_%s_median_ns\": %llu, \"format_%s_mean_ns\": %.3f", f.key,
                  per[per.size() / 2], f.key, (double)pass / numbers.size());
    json += field;
  }
  return json;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: parse_bench <corpus.tsv> <results.txt> [repeats]\n");
    return 2;
  }
  int repeats = argc > 3 ? std::atoi(argv[3]) : 5;
  std::ifstream file(argv[1]);
  if (!file) {
    std::fprintf(stderr, "parse_bench: cannot open %s\n", argv[1]);
    return 2;
  }
  std::vector<Input> inputs;
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t a = line.find('\t');
    size_t b = line.find('\t', a + 1);
    if (a == std::string::npos) continue;
    inputs.push_back({line.substr(0, a), unescape(line.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1))});
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "parse_bench: no inputs\n");
    return 2;
  }

  unsigned long long t0 = now_ns();
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  std::string e164;
  sink = parse_to_e164(util, inputs[0], &e164);
  unsigned long long startup = now_ns() - t0;

  FILE* out = std::fopen(argv[2], "w");
  if (!out) {
    std::fprintf(stderr, "parse_bench: cannot write %s\n", argv[2]);
    return 2;
  }
  for (const Input& in : inputs) {
    e164.clear();
    if (parse_to_e164(util, in, &e164)) {
      std::fputs(e164.c_str(), out);
      std::fputc('\n', out);
    } else {
      std::fputs("ERROR\n", out);
    }
  }
  std::fclose(out);

  unsigned long long p0 = now_ns();
  for (const Input& in : inputs) {
    e164.clear();
    sink = parse_to_e164(util, in, &e164);
  }
  unsigned long long pass = now_ns() - p0;

  std::vector<unsigned long long> per;
  per.reserve(inputs.size());
  for (const Input& in : inputs) {
    unsigned long long s = now_ns();
    for (int r = 0; r < repeats; ++r) {
      e164.clear();
      sink = parse_to_e164(util, in, &e164);
    }
    per.push_back((now_ns() - s) / repeats);
  }
  std::sort(per.begin(), per.end());
  size_t n = per.size();
  std::string formats;
  if (argc > 4) formats = format_numbers(util, inputs, argv[4], repeats);
  std::printf(
      "{\"peer\": \"libphonenumber-cpp\", \"count\": %zu, \"repeats\": %d, \"median_ns\": %llu, \"p99_ns\": %llu, "
      "\"mean_ns\": %.3f, \"total_ms\": %.3f, \"startup_ms\": %.3f%s, \"peak_rss_kib\": %ld}\n",
      n, repeats, per[n / 2], per[std::min(n - 1, (size_t)((n - 1) * 0.99 + 0.5))], (double)pass / n, pass / 1e6,
      startup / 1e6, formats.c_str(), peak_rss_kib());
  return 0;
}
