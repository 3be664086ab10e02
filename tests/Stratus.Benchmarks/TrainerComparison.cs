using System.Diagnostics;
using Stratus.Core.Datasets;
using Stratus.Core.Models;
using Stratus.Core.Training;
using Stratus.Training;
using Stratus.Training.Datasets;
using Stratus.Training.Pipelines;

namespace Stratus.Benchmarks;

/// <summary>
/// Stratus' trainers against scikit-learn on the same split of the same real data: each Stratus candidate's
/// holdout metrics (computed on its ONNX export) and fit time, then scikit-learn's (sklearn_compare.py) on the
/// split written out here.
/// </summary>
public static class TrainerComparison
{
    public static int Run()
    {
        var directory = Directory.CreateTempSubdirectory("stratus-compare-").FullName;
        Console.WriteLine("| data | trainer | auc | accuracy | f1 | macro-accuracy | fit ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (file, task, algorithms) in new[]
        {
            ("breast_cancer", ModelTask.BinaryClassification, new[] { "lightgbm", "fasttree", "sdca", "lbfgs" }),
            ("iris", ModelTask.MulticlassClassification, new[] { "lightgbm", "sdca", "lbfgs" }),
        })
        {
            var csv = Path.Combine(BenchmarkOptions.Root, "samples", "data", file + ".csv");
            var spec = Resolve(csv, task, algorithms);
            TabularTrainer.ExportSplit(spec, csv, Path.Combine(directory, file + ".train.csv"), Path.Combine(directory, file + ".test.csv"));
            for (var i = 0; i < spec.Candidates.Count; i++)
            {
                TabularTrainer.Train(spec, i, csv, CancellationToken.None); // warm-up: JIT and native library loading are not fit time
                var result = TabularTrainer.Train(spec, i, csv, CancellationToken.None);
                string M(string name) => result.Metrics.TryGetValue(name, out var v) ? v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "";
                Console.WriteLine(FormattableString.Invariant(
                    $"| {file} | Stratus {spec.Candidates[i].Algorithm} | {M("auc")} | {M("accuracy")} | {M("f1")} | {M("macro-accuracy")} | {result.FitMs:F0} |"));
            }
        }

        var python = Process.Start(new ProcessStartInfo("/usr/bin/python3", [Path.Combine(BenchmarkOptions.Root, "tests", "Stratus.Benchmarks", "sklearn_compare.py"), directory]) { UseShellExecute = false })!;
        python.WaitForExit();
        Directory.Delete(directory, recursive: true);
        return python.ExitCode;
    }

    private static TrainingSpec Resolve(string csv, ModelTask task, string[] algorithms)
    {
        var profile = CsvProfiler.ReadAsync(csv, CancellationToken.None).GetAwaiter().GetResult();
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(csv)));
        var dataset = new DatasetVersion
        {
            Name = "compare", Version = DatasetVersion.VersionOf(sha), Sha256 = sha, SizeBytes = 0, Rows = profile.Rows, Columns = profile.Columns, BlobPath = "",
        };
        return TrainingSpecResolver.Resolve(new TrainRequest { Label = "label", Task = task, Candidates = algorithms.Select(a => new CandidateRequest(a, null)).ToArray() }, dataset, null);
    }
}
