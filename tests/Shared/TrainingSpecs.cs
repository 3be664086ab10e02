using Stratus.Core.Datasets;
using Stratus.Core.Models;
using Stratus.Core.Training;
using Stratus.Training;
using Stratus.Training.Datasets;

namespace Stratus.Tests.Fixtures;

/// <summary>Resolved specs over the shipped datasets, for training tests.</summary>
public static class TrainingSpecs
{
    public static string Csv(string name) => Path.Combine(TestPaths.Root, "samples", "data", name + ".csv");

    public static DatasetVersion Dataset(string name)
    {
        var profile = CsvProfiler.ReadAsync(Csv(name), CancellationToken.None).GetAwaiter().GetResult();
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Csv(name))));
        return new DatasetVersion
        {
            Name = name.Replace('_', '-'),
            Version = DatasetVersion.VersionOf(sha),
            Sha256 = sha,
            SizeBytes = new FileInfo(Csv(name)).Length,
            Rows = profile.Rows,
            Columns = profile.Columns,
            BlobPath = "",
        };
    }

    public static TrainingSpec Resolve(string dataset, TrainRequest request, ModelTask? cardTask = null) =>
        TrainingSpecResolver.Resolve(request, Dataset(dataset), cardTask);

    public static CandidateRequest Candidate(string algorithm, object? parameters = null) =>
        new(algorithm, parameters is null ? null : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(JsonSerializer.Serialize(parameters)));
}
