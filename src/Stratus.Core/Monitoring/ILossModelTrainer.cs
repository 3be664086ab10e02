using Stratus.Core.Training;

namespace Stratus.Core.Monitoring;

/// <summary>A regressor's reference, as DLE's loss models learn from it: the feature columns, the rows as text, the version's predictions and the true values.</summary>
public sealed record LossTrainingSet(IReadOnlyList<FeatureSpec> Features, IReadOnlyList<string[]> Rows, IReadOnlyList<double> Predicted, IReadOnlyList<double> Actual);

/// <summary>Both loss models as ONNX (inputs: the features, then <see cref="LossModelInputs.Prediction"/>), and their check on the held-out half.</summary>
public sealed record TrainedLossModels(byte[] Absolute, byte[] Squared, IReadOnlyDictionary<string, double> Check);

/// <summary>Trains DLE's loss models (implemented by the training layer, which owns ML.NET).</summary>
public interface ILossModelTrainer
{
    Task<TrainedLossModels> TrainAsync(LossTrainingSet set, CancellationToken cancellationToken);
}

/// <summary>The names the loss models' extra input and target go by, defined once for training and serving.</summary>
public static class LossModelInputs
{
    public const string Prediction = "stratus_prediction";
    public const string Loss = "stratus_loss";
}
