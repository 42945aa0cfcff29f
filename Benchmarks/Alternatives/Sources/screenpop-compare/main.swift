#if canImport(Glibc)
    import Glibc
#endif

// screenpop-compare: ScreenPop and the in-process alternatives, one mode per process, one JSON line
// of results on standard output. Driven by Benchmarks/compare (docs/benchmarks.md).
let usage = """
    usage: screenpop-compare MODE ...
      parse <corpus.tsv> <results.txt> [repeats] [formats.txt]    parse + E.164 of every corpus line,
                                                                  then NATIONAL, INTERNATIONAL, RFC3966
      resolve <size> <seed> <queries> [answers.txt|-] [passes]    ScreenPop's AccountIndex
      naive <size> <seed> <queries> [answers.txt|-] [passes]      dictionary baseline
      sqlite <size> <seed> <queries> [answers.txt|-] [passes] [db] SQLite file with indexes
      export <size> <seed> <dir> [queries]                        the account as TSV files
    """
var arguments = Array(CommandLine.arguments.dropFirst())
guard let mode = arguments.first else { fail(usage) }
arguments.removeFirst()
switch mode {
case "parse": runParse(arguments)
case "resolve": runScreenPop(arguments)
case "naive": runNaive(arguments)
case "sqlite": runSQLite(arguments)
case "export": runExport(arguments)
default: fail(usage)
}
