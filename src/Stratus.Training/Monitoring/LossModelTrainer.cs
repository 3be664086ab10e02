using System.Globalization;
using System.Text;
using Stratus.Core.Datasets;
using Stratus.Core.Models;
using Stratus.Core.Monitoring;
using Stratus.Core.Training;
using Stratus.Training.Algorithms;
using Stratus.Training.Pipelines;

namespace Stratus.Training.Monitoring;

/// <summary>
/// DLE's loss models (NannyML, nannyml/performance_estimation/direct_loss_estimation/dle.py): LightGBM regressors from
/// the features plus the model's prediction to the absolute error and to the squared error. They go through the same
/// trainer as every Stratus model (text features one-hot encoded, exported to ONNX and checked against ML.NET), with
/// half of the reference held out: the check reported is the loss model's error on that half. LightGBM's own defaults,
/// as NannyML uses them: 31 leaves, 20 rows per leaf, learning rate 0.1, 100 rounds.
/// </summary>
public sealed class LossModelTrainer : ILossModelTrainer
{
    public const int Seed = 17;

    public Task<TrainedLossModels> TrainAsync(LossTrainingSet set, CancellationToken cancellationToken) =>
        Task.Run(
            () =>
            {
                var absolute = Train(set, (p, a) => Math.Abs(a - p), cancellationToken);
                var squared = Train(set, (p, a) => (a - p) * (a - p), cancellationToken);
                var check = new Dictionary<string, double>(StringComparer.Ordinal) { ["rows"] = set.Rows.Count / 2 };
                foreach (var (name, metrics) in new[] { ("absolute", absolute.Metrics), ("squared", squared.Metrics) })
                {
                    check[$"{name}LossMae"] = metrics[MetricNames.Mae];
                    check[$"{name}LossRmse"] = metrics[MetricNames.Rmse];
                }

                return new TrainedLossModels(absolute.Onnx, squared.Onnx, check);
            },
            cancellationToken);

    private static TabularTrainer.Result Train(LossTrainingSet set, Func<double, double, double> loss, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"stratus-loss-{Guid.NewGuid():N}.csv");
        try
        {
            var csv = new StringBuilder();
            csv.AppendJoin(',', set.Features.Select(f => f.Name).Append(LossModelInputs.Prediction).Append(LossModelInputs.Loss)).Append('\n');
            for (var i = 0; i < set.Rows.Count; i++)
            {
                csv.AppendJoin(',', set.Rows[i].Select(Quote))
                    .Append(CultureInfo.InvariantCulture, $",{set.Predicted[i]:R},{loss(set.Predicted[i], set.Actual[i]):R}\n");
            }

            File.WriteAllText(path, csv.ToString());
            var spec = new TrainingSpec
            {
                Dataset = new DatasetRef("reference", "loss", ""),
                Label = LossModelInputs.Loss,
                LabelType = DatasetColumn.Number,
                Features = [.. set.Features, new FeatureSpec(LossModelInputs.Prediction, DatasetColumn.Number)],
                Task = ModelTask.Regression,
                Candidates = [new CandidateSpec(AlgorithmCatalog.LightGbm, new Dictionary<string, double> { ["numberOfLeaves"] = 31, ["learningRate"] = 0.1, ["numberOfIterations"] = 100, ["minimumExampleCountPerLeaf"] = 20 })],
                HoldoutFraction = 0.5,
                Seed = Seed,
                Metric = MetricNames.Rmse,
                Promote = PromotionPolicy.Never,
            };
            return TabularTrainer.Train(spec, 0, path, cancellationToken);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Quote(string cell) => cell.Contains(',') || cell.Contains('"') ? $"\"{cell.Replace("\"", "\"\"")}\"" : cell;
}
