using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Stratus.Core.Abstractions;
using Stratus.Core.Datasets;
using Stratus.Core.Http;
using Stratus.Core.Models;
using Stratus.Core.Errors;
using Stratus.Core.Training;
using Stratus.Registry;
using Stratus.Training.Datasets;
using Stratus.Training.Pipelines;

namespace Stratus.Training.Runs;

/// <summary>
/// The work behind the training orchestrations. Every step is idempotent, because the Durable Task engine may
/// deliver an activity again: candidates write to fixed blob paths, and registration finds the version a run
/// already created instead of allocating a second one.
/// </summary>
public sealed class TrainingWorkflow(
    IModelRegistry registry,
    IArtifactStore artifacts,
    DatasetService datasets,
    DatasetCache cache,
    ModelManagementService models,
    ILogger<TrainingWorkflow> logger)
{
    public static string CodeVersion { get; } = Informational(typeof(TrainingWorkflow).Assembly);
    public static string MlNetVersion { get; } = Informational(typeof(Microsoft.ML.MLContext).Assembly);
    public static string OnnxRuntimeVersion { get; } = Informational(typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly);

    /// <summary>Validates a request into a spec (400s) and creates the card when the model does not exist yet.</summary>
    public async Task<TrainingSpec> PrepareAsync(string model, TrainRequest request, CancellationToken cancellationToken)
    {
        ResourceName.Require(model, "model");
        if (string.IsNullOrWhiteSpace(request.Dataset))
        {
            throw DomainException.Invalid("Invalid training spec", "'dataset' is required: a dataset name or name@version.");
        }

        var dataset = await datasets.ResolveAsync(request.Dataset, cancellationToken);
        var card = (await registry.GetCardAsync(model, cancellationToken))?.Value;
        var spec = TrainingSpecResolver.Resolve(request, dataset, card?.Task);
        if (card is null)
        {
            await models.UpsertCardAsync(model, new ModelCardUpdate
            {
                Name = model,
                Task = spec.Task,
                Description = $"Trained by Stratus on {spec.Dataset}",
                MlMetric = spec.Metric,
                FeatureNames = spec.Features.Select(f => f.Name).ToArray(),
            }, ifMatch: null, cancellationToken);
        }

        return spec;
    }

    public async Task VerifyDatasetAsync(DatasetRef dataset, CancellationToken cancellationToken) =>
        await cache.GetAsync(dataset, cancellationToken);

    /// <summary>Trains one candidate. Training errors are results (reported, not retried); storage errors throw so the engine retries.</summary>
    public async Task<CandidateResult> TrainCandidateAsync(CandidateInput input, CancellationToken cancellationToken)
    {
        var candidate = input.Spec.Candidates[input.Index];
        var csv = await cache.GetAsync(input.Spec.Dataset, cancellationToken);
        TabularTrainer.Result trained;
        try
        {
            trained = TabularTrainer.Train(input.Spec, input.Index, csv, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Run {RunId}: candidate {Index} {Candidate} failed", input.RunId, input.Index, candidate);
            return new CandidateResult { Index = input.Index, Algorithm = candidate.Algorithm, Params = candidate.Params, Error = e.Message };
        }

        var path = CandidatePath(input.RunId, input.Index);
        await artifacts.UploadAsync(path, new MemoryStream(trained.Onnx), cancellationToken);
        var details = new CandidateDetails(trained.Outputs, trained.Classes, trained.Baseline);
        await artifacts.UploadAsync(path + ".json", new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(details, StratusJson.Options)), cancellationToken);
        logger.LogInformation("Run {RunId}: candidate {Index} {Candidate} {Metric}={Value:G4} in {DurationMs} ms",
            input.RunId, input.Index, candidate, input.Spec.Metric, trained.Metrics[input.Spec.Metric], trained.DurationMs);
        return new CandidateResult
        {
            Index = input.Index,
            Algorithm = candidate.Algorithm,
            Params = candidate.Params,
            Metrics = trained.Metrics,
            DurationMs = trained.DurationMs,
            ArtifactPath = path,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(trained.Onnx)),
        };
    }

    /// <summary>The current champion's metrics on this spec's holdout, or null when there is no champion.</summary>
    public async Task<ChampionSummary?> ScoreChampionAsync(ChampionInput input, CancellationToken cancellationToken)
    {
        var card = (await registry.GetCardAsync(input.Model, cancellationToken))?.Value;
        if (card is null || !card.Aliases.TryGetValue(Aliases.Champion, out var version))
        {
            return null;
        }

        var record = await registry.GetVersionAsync(input.Model, version, cancellationToken);
        if (record is null)
        {
            return new ChampionSummary(version, null, "the champion's version record is missing");
        }

        var csv = await cache.GetAsync(input.Spec.Dataset, cancellationToken);
        var onnx = await artifacts.DownloadAsync(record.ArtifactPath, cancellationToken);
        try
        {
            if (input.Spec.Task == Core.Models.ModelTask.MulticlassClassification && record.Classes is null)
            {
                logger.LogWarning("Champion {Model} v{Version} has no recorded class order; its scores are compared in this holdout's class order as is", input.Model, version);
            }

            var metrics = TabularTrainer.Evaluate(input.Spec, csv, onnx, record.Classes);
            return new ChampionSummary(version, metrics, metrics is null ? "it takes different inputs than this spec's features" : null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A champion that cannot be scored on this holdout (other outputs, unseen classes…) is not comparable:
            // the new version is then judged on its own, instead of the whole run failing.
            logger.LogWarning(e, "Champion {Model} v{Version} could not be scored", input.Model, version);
            return new ChampionSummary(version, null, "it could not be scored on this holdout: " + e.Message);
        }
    }

    /// <summary>Registers the winner as a new version with full lineage; a repeated call for the same run returns the same version.</summary>
    public async Task<int> RegisterAsync(RegisterInput input, CancellationToken cancellationToken)
    {
        var existing = (await registry.ListVersionsAsync(input.Model, cancellationToken)).FirstOrDefault(v => v.Lineage.RunId == input.RunId);
        if (existing is not null)
        {
            return existing.Version;
        }

        var winner = input.Winner;
        var details = JsonSerializer.Deserialize<CandidateDetails>(await artifacts.DownloadAsync(winner.ArtifactPath! + ".json", cancellationToken), StratusJson.Options)!;
        var onnx = await artifacts.DownloadAsync(winner.ArtifactPath!, cancellationToken);
        var lineage = new Lineage
        {
            Source = Lineage.TrainingSource,
            RunId = input.RunId,
            DatasetName = input.Spec.Dataset.Name,
            DatasetVersion = input.Spec.Dataset.Version,
            DatasetSha256 = input.Spec.Dataset.Sha256,
            Algorithm = winner.Algorithm,
            Parameters = winner.Params,
            Seed = input.Spec.Seed,
            Spec = input.Spec,
            CandidateIndex = winner.Index,
            CodeVersion = CodeVersion,
            MlNetVersion = MlNetVersion,
            OnnxRuntimeVersion = OnnxRuntimeVersion,
            TrainingDurationMs = winner.DurationMs,
        };
        var version = await models.UploadVersionAsync(input.Model, new MemoryStream(onnx), onnx.Length, lineage, cancellationToken,
            v => v with { Metrics = winner.Metrics!, Outputs = details.Outputs, Classes = details.Classes, Baseline = details.Baseline });
        return version.Version;
    }

    /// <summary>
    /// Gives the new version its alias. Promotion to champion is conditional on the champion being the one that was
    /// scored: false means it moved meanwhile (another run promoted) and the decision must be made again.
    /// </summary>
    public async Task<bool> SetAliasAsync(AliasInput input, CancellationToken cancellationToken)
    {
        if (input.Alias != Aliases.Champion)
        {
            await models.SetAliasAsync(input.Model, input.Alias, input.Version, ifMatch: null, cancellationToken);
            return true;
        }

        return await models.MoveAliasAsync(input.Model, Aliases.Champion, input.Version, input.ScoredChampion, cancellationToken);
    }

    /// <summary>Trains the version's exact candidate again from its lineage and compares artifact and metrics.</summary>
    /// <summary>The version and its recipe, or a 404/409 problem: checked before a reproduce run is started.</summary>
    public async Task<(ModelVersion Record, TrainingSpec Spec, int Index)> GetRecipeAsync(string model, int version, CancellationToken cancellationToken)
    {
        var record = await models.GetVersionAsync(model, version, cancellationToken);
        if (record.Lineage is not { Spec: { } spec, CandidateIndex: { } index })
        {
            throw DomainException.Conflict("Not reproducible", $"{model} v{version} was {record.Lineage.Source}ed, not trained by Stratus; there is no recipe to run again.");
        }

        return (record, spec, index);
    }

    /// <summary>Trains the version's candidate again from its recorded spec and compares bytes and metrics.</summary>
    public async Task<ReproduceResult> ReproduceAsync(string model, int version, CancellationToken cancellationToken)
    {
        var (record, spec, index) = await GetRecipeAsync(model, version, cancellationToken);

        var csv = await cache.GetAsync(spec.Dataset, cancellationToken);
        var again = TabularTrainer.Train(spec, index, csv, cancellationToken);
        var sha = Convert.ToHexStringLower(SHA256.HashData(again.Onnx));
        var metricsMatch = record.Metrics.Count == again.Metrics.Count && record.Metrics.All(m => again.Metrics.TryGetValue(m.Key, out var v) && v.Equals(m.Value));
        var match = sha == record.Sha256 && metricsMatch;
        var note = match ? null : $"Code or library versions may differ: trained with {record.Lineage.CodeVersion} (ML.NET {record.Lineage.MlNetVersion}), reproduced with {CodeVersion} (ML.NET {MlNetVersion}).";
        return new ReproduceResult(model, version, match, sha == record.Sha256, metricsMatch, record.Sha256, sha, record.Metrics, again.Metrics, note);
    }

    /// <summary>
    /// Writes the spec's holdout rows (features, then <c>label</c>) to a temporary CSV the caller deletes: a trained
    /// version's monitoring reference is built from exactly the rows it was validated on.
    /// </summary>
    public async Task<string> ExportHoldoutAsync(TrainingSpec spec, CancellationToken cancellationToken)
    {
        var csv = await cache.GetAsync(spec.Dataset, cancellationToken);
        var directory = Directory.CreateTempSubdirectory("stratus-holdout-");
        var train = Path.Combine(directory.FullName, "train.csv");
        var holdout = Path.Combine(directory.FullName, "holdout.csv");
        TabularTrainer.ExportSplit(spec, csv, train, holdout);
        File.Delete(train);
        return holdout;
    }

    public static string CandidatePath(string runId, int index) => $"_runs/{runId}/{index}.onnx";

    private static string Informational(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>What registration needs from a candidate besides its ONNX bytes.</summary>
    private sealed record CandidateDetails(IReadOnlyDictionary<string, string> Outputs, IReadOnlyList<string>? Classes, IReadOnlyList<FeatureBaseline> Baseline);
}
