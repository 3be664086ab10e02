using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Stratus.Benchmarks;

/// <summary>The ceiling: one row through session.Run in a tight loop, no HTTP, no JSON.</summary>
public static class RawOnnxBenchmark
{
    public static int Run(BenchmarkOptions options)
    {
        using var sessionOptions = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(BenchmarkOptions.ModelPath, sessionOptions);
        using var runOptions = new RunOptions();
        var input = (float[])BenchmarkOptions.Row.Clone();
        string[] inputNames = ["Features"];
        var outputNames = session.OutputNames.ToArray();

        void Once()
        {
            using var value = OrtValue.CreateTensorValueFromMemory(input, [1, input.Length]);
            using var results = session.Run(runOptions, inputNames, [value], outputNames);
        }

        for (var i = 0; i < 1000; i++)
        {
            Once(); // warm-up
        }

        foreach (var threads in new[] { 1, Environment.ProcessorCount })
        {
            var latencies = new List<long>[threads];
            var until = Stopwatch.GetTimestamp() + options.Seconds * Stopwatch.Frequency;
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                var mine = latencies[t] = new List<long>(1 << 20);
                while (Stopwatch.GetTimestamp() < until)
                {
                    var start = Stopwatch.GetTimestamp();
                    Once();
                    mine.Add(Stopwatch.GetTimestamp() - start);
                }
            });
            Report.Print($"raw ONNX Runtime, {threads} thread(s)", threads, latencies.SelectMany(l => l).ToArray(), options.Seconds, errors: 0);
        }

        return 0;
    }
}
