using Stratus.Benchmarks;

// dotnet run -c Release --project tests/Stratus.Benchmarks -- <mode> [options]
//   raw            [--seconds 10]                         ONNX Runtime session.Run in a loop: the limit
//   serve-minimal  [--url http://127.0.0.1:5080]          minimal ASP.NET Core endpoint over the same session
//   serve-stratus  [--url http://127.0.0.1:5081]          the local runner (own Azurite) with the demo models
//   load --url U --path P [--connections 1,16,64] [--seconds 10] [--key K]   closed-loop HTTP load
//   retrain-scale [models=100] [parallelism=4]   RetrainAll over N models x 4 candidates on the local engine
//   compare-trainers   Stratus' trainers vs scikit-learn (Debian python3-sklearn) on the same split
//   tier-batching [--connections 1,8,32,64] [--seconds 10]   the GPU tier (ResNet18) with dynamic batching on and off
//   compare [--seconds 10] --key K   minimal (:5080) vs Stratus (:5081), alternating rounds, medians and ratio
//   compare-monitoring [--seconds 10] --key K [--pids OFF,ON]   Stratus with monitoring off (:5082) vs on (:5081), the same way
//   monitoring-memory  bytes held per monitored version (reference sketches + one open window)
//   report-scale [models] [windows]   time to compute monitoring reports (drift + estimates) for 100 models × 24 windows
//   alloc-profile [requests=20000] [on|off]   predict's allocations by type (runtime allocation ticks), monitoring on or off
//   many-models [models=200] [cached=50] [s=1.1] [connections=16] [seconds=30]   Zipf traffic over many models, a cache for some
// tests/Stratus.Benchmarks/run-predict-benchmark.sh runs them all and prints the table for docs/benchmarks.md.
var options = BenchmarkOptions.Parse(args);
return options.Mode switch
{
    "raw" => RawOnnxBenchmark.Run(options),
    "serve-minimal" => await MinimalEndpoint.ServeAsync(options),
    "serve-stratus" or "observe-cost" => await StratusServer.ServeAsync(options),
    "load" => await LoadGenerator.RunAsync(options),
    "retrain-scale" => await RetrainScaleBenchmark.RunAsync(int.Parse(args.ElementAtOrDefault(1) ?? "100"), int.Parse(args.ElementAtOrDefault(2) ?? "4")),
    "compare-trainers" => TrainerComparison.Run(),
    "tier-batching" => await TierBatchingBenchmark.RunAsync(options),
    "compare" => await CompareBenchmark.RunAsync(options, "http://127.0.0.1:5080", "http://127.0.0.1:5081", rounds: 3),
    "compare-monitoring" => await CompareBenchmark.MonitoringAsync(options, rounds: 7),
    "compare-shadow" => await CompareBenchmark.ShadowAsync(options, rounds: 5),
    "monitoring-memory" => MonitoringMemoryBenchmark.Run(),
    "report-scale" => await ReportScaleBenchmark.RunAsync(int.Parse(args.ElementAtOrDefault(1) ?? "100"), int.Parse(args.ElementAtOrDefault(2) ?? "24")),
    "alloc-profile" => await AllocationProfile.RunAsync(int.Parse(args.ElementAtOrDefault(1) ?? "20000"), args.ElementAtOrDefault(2) != "off"),
    "many-models" => await ManyModelsBenchmark.RunAsync(
        int.Parse(args.ElementAtOrDefault(1) ?? "200"), int.Parse(args.ElementAtOrDefault(2) ?? "50"),
        double.Parse(args.ElementAtOrDefault(3) ?? "1.1", System.Globalization.CultureInfo.InvariantCulture),
        int.Parse(args.ElementAtOrDefault(4) ?? "16"), int.Parse(args.ElementAtOrDefault(5) ?? "30")),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("modes: raw | serve-minimal | serve-stratus | load (see Program.cs)");
    return 2;
}
