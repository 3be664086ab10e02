using Stratus.Core.Models;

namespace Stratus.Core.Training;

/// <summary>The metrics Stratus computes, which tasks they fit, and which way is better.</summary>
public static class MetricNames
{
    public const string Auc = "auc";
    public const string Accuracy = "accuracy";
    public const string F1 = "f1";
    public const string LogLoss = "logloss";
    public const string MicroAccuracy = "micro-accuracy";
    public const string MacroAccuracy = "macro-accuracy";
    public const string Rmse = "rmse";
    public const string Mae = "mae";
    public const string R2 = "r2";

    /// <summary>
    /// Largest difference between ML.NET's and ONNX Runtime's scores on the holdout, relative to the score's
    /// magnitude (absolute below 1), so float32 rounding on large regression targets is not mistaken for a bug.
    /// </summary>
    public const string OnnxParity = "onnx-parity";

    public static IReadOnlyList<string> For(ModelTask task) => task switch
    {
        ModelTask.BinaryClassification => [Auc, Accuracy, F1, LogLoss],
        ModelTask.MulticlassClassification => [MicroAccuracy, MacroAccuracy, Accuracy, LogLoss],
        ModelTask.Regression => [Rmse, Mae, R2],
        _ => [],
    };

    public static string DefaultFor(ModelTask task) => task switch
    {
        ModelTask.BinaryClassification => Auc,
        ModelTask.MulticlassClassification => MicroAccuracy,
        _ => Rmse,
    };

    public static bool LowerIsBetter(string metric) => metric is LogLoss or Rmse or Mae;

    /// <summary>True when <paramref name="candidate"/> is strictly better than <paramref name="incumbent"/> on <paramref name="metric"/>.</summary>
    public static bool IsBetter(string metric, double candidate, double incumbent) =>
        LowerIsBetter(metric) ? candidate < incumbent : candidate > incumbent;

    /// <summary>True when <paramref name="value"/> reaches <paramref name="minimum"/> (a maximum for lower-is-better metrics).</summary>
    public static bool Meets(string metric, double value, double? minimum) =>
        minimum is not { } bound || (LowerIsBetter(metric) ? value <= bound : value >= bound);
}
