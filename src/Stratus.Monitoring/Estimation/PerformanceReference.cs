using Stratus.Core.Models;
using Stratus.Core.Monitoring;
using Stratus.Core.Training;

namespace Stratus.Monitoring.Estimation;

/// <summary>
/// What a version needs to estimate its performance from served rows without labels, built once from its reference:
/// CBPE (classifiers: per-class calibration, the reference's metrics and their sampling-error components, and the
/// layout of the served-probability histograms) or DLE (regressors: the loss models and the reference's errors).
/// </summary>
public sealed record PerformanceReference
{
    public const string Cbpe = "cbpe";
    public const string Dle = "dle";

    /// <summary>Uniform bins over [0, 1] of the raw score in each class's histogram. 1000 keeps the streaming estimates within 0.001 of the row-level ones on the tests' data (docs/benchmarks.md).</summary>
    public const int ScoreBins = 1000;

    /// <summary>What each method assumes; reported with every estimate.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Assumptions = new Dictionary<string, IReadOnlyList<string>>
    {
        [Cbpe] =
        [
            "the model's (calibrated) probabilities are right: P(class | score) is what the reference showed",
            "no concept drift: the labelling of inputs is as it was in the reference (a changed labelling is invisible; only realized metrics from feedback show it)",
            "no inputs far outside the reference: calibration was fitted where the reference had rows",
        ],
        [Dle] =
        [
            "the loss models learned from the reference hold: the error given the inputs and the prediction is what the reference showed",
            "no concept drift: the relation between inputs and targets is as it was in the reference (only realized metrics from feedback show it)",
            "no inputs far outside the reference: the loss models extrapolate poorly",
        ],
    };

    public required string Method { get; init; }
    public required ModelTask Task { get; init; }

    /// <summary>Classes in score order (classifiers).</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    /// <summary>Per class (binary: the positive class only).</summary>
    public IReadOnlyList<ClassCalibration> Calibration { get; init; } = [];

    /// <summary>The reference's realized value of each estimated metric.</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    public required IReadOnlyDictionary<string, SamplingError> Errors { get; init; }

    /// <summary>DLE: the loss models, stored next to the reference, and how well they predicted the half they did not learn from.</summary>
    public LossModels? LossModels { get; init; }

    public bool IsBinary => Task == ModelTask.BinaryClassification;

    /// <summary>Each class's calibration decision, without the fitted points: what reports and the reference upload show.</summary>
    public IReadOnlyList<ClassCalibration> CalibrationDecisions => Calibration.Select(c => c with { Calibrator = null }).ToArray();

    /// <summary>The count-and-sum sketches this estimator records into.</summary>
    public IReadOnlyList<SumSketch> Sketches => Method == Cbpe
        ? Calibration.SelectMany(c => new[] { new SumSketch(SketchName(c.Class, predicted: true), ScoreBins), new SumSketch(SketchName(c.Class, predicted: false), ScoreBins) }).ToArray()
        : [new SumSketch(AbsoluteLossSketch, 1), new SumSketch(SquaredLossSketch, 1)];

    public const string AbsoluteLossSketch = "estimate:loss:absolute";
    public const string SquaredLossSketch = "estimate:loss:squared";

    public static string SketchName(string @class, bool predicted) => $"estimate:p({@class}):{(predicted ? "predicted" : "other")}";

    public static int ScoreBin(double raw) => double.IsNaN(raw) ? -1 : Math.Clamp((int)(raw * ScoreBins), 0, ScoreBins - 1);

    /// <summary>
    /// Writes the calibrated probabilities of one row's raw scores (class order) into <paramref name="calibrated"/>:
    /// binary, the positive class's only; multiclass, each class one-vs-rest then the row renormalised, a row summing
    /// to 0 becoming uniform (nannyml/performance_estimation/confidence_based/cbpe.py, <c>_calibrate_predicted_probabilities</c>).
    /// </summary>
    public void Calibrate(IReadOnlyList<double> raw, Span<double> calibrated)
    {
        if (IsBinary)
        {
            calibrated[0] = Calibration[0].Calibrator?.Apply(raw[^1]) ?? raw[^1];
            return;
        }

        double sum = 0;
        for (var c = 0; c < Calibration.Count; c++)
        {
            calibrated[c] = Calibration[c].Calibrator?.Apply(raw[c]) ?? raw[c];
            sum += calibrated[c];
        }

        for (var c = 0; c < Calibration.Count; c++)
        {
            calibrated[c] = sum > 0 ? calibrated[c] / sum : 1.0 / Calibration.Count;
        }
    }

    /// <summary>
    /// Adds one served row's points to <paramref name="points"/>: per tracked class, its calibrated probability in the
    /// bin of its raw score, on the "predicted" sketch when the row was predicted that class. Returns how many were written.
    /// </summary>
    public int WritePoints(IReadOnlyList<double> raw, int predicted, Span<double> scratch, Span<SumPoint> points)
    {
        Calibrate(raw, scratch);
        if (IsBinary)
        {
            var bin = ScoreBin(raw[^1]);
            if (bin < 0)
            {
                return 0;
            }

            points[0] = new SumPoint(predicted == Classes.Count - 1 ? 0 : 1, bin, scratch[0]);
            return 1;
        }

        var written = 0;
        for (var c = 0; c < Calibration.Count; c++)
        {
            if (ScoreBin(raw[c]) is var bin and >= 0)
            {
                points[written++] = new SumPoint((2 * c) + (predicted == c ? 0 : 1), bin, scratch[c]);
            }
        }

        return written;
    }

    /// <summary>Rows the window's estimate rests on.</summary>
    public long Rows(WindowCounts window) => Method == Cbpe
        ? (Calibration.Count == 0 ? 0 : Count(window, SketchName(Calibration[0].Class, true)) + Count(window, SketchName(Calibration[0].Class, false)))
        : Count(window, AbsoluteLossSketch);

    /// <summary>The window's estimates, each with its band and alert (<paramref name="drop"/>: how far below the reference alerts).</summary>
    public IReadOnlyDictionary<string, EstimatedMetric> Estimate(WindowCounts window, double drop)
    {
        var rows = Rows(window);
        var values = Method == Cbpe ? EstimateCbpe(window) : EstimateDle(window, rows);
        var estimates = new Dictionary<string, EstimatedMetric>(StringComparer.Ordinal);
        foreach (var (metric, value) in values)
        {
            if (double.IsNaN(value) || !Metrics.TryGetValue(metric, out var reference))
            {
                continue;
            }

            var se = Errors.TryGetValue(metric, out var error) ? error.For(rows) : double.NaN;
            var band = double.IsNaN(se) ? 0 : SamplingError.BandWidth * se;
            var lowerIsBetter = MetricNames.LowerIsBetter(metric);
            var (lower, upper) = lowerIsBetter ? (Math.Max(0, value - band), value + band) : (Math.Max(0, value - band), Math.Min(1, value + band));
            estimates[metric] = new EstimatedMetric(value, lower, upper, reference, Alerts(value, lower, upper, reference, drop, lowerIsBetter), Method) { Rows = rows };
        }

        return estimates;
    }

    /// <summary>
    /// Worse than the reference by more than <paramref name="drop"/> (absolute for scores in [0, 1], relative to the
    /// reference for errors) and the reference outside the band.
    /// </summary>
    public static bool Alerts(double value, double lower, double upper, double reference, double drop, bool lowerIsBetter) =>
        lowerIsBetter
            ? value > reference * (1 + drop) && reference < lower
            : value < reference - drop && reference > upper;

    private Dictionary<string, double> EstimateCbpe(WindowCounts window)
    {
        var confusions = Calibration.Select(c => Confusion(window, c.Class)).ToArray();
        var aucs = Calibration.Select(c => Roc(window, c.Class)).ToArray();
        if (IsBinary)
        {
            return new Dictionary<string, double>
            {
                [MetricNames.Accuracy] = confusions[0].Accuracy,
                [MetricNames.F1] = confusions[0].F1,
                [MetricNames.Auc] = aucs[0],
            };
        }

        // Multiclass: the mean calibrated probability of the predicted class; macro one-vs-rest F1 and AUC.
        var rows = Rows(window);
        return new Dictionary<string, double>
        {
            [MetricNames.Accuracy] = rows == 0 ? double.NaN : confusions.Sum(c => c.TruePositive) / rows,
            [MetricNames.F1] = confusions.Average(c => c.F1),
            [MetricNames.Auc] = aucs.Average(),
        };
    }

    private static ExpectedConfusion Confusion(WindowCounts window, string @class)
    {
        var predicted = SketchName(@class, true);
        var other = SketchName(@class, false);
        var tp = Total(window.Sums, predicted);
        var fn = Total(window.Sums, other);
        return new ExpectedConfusion(tp, Count(window, predicted) - tp, fn, Count(window, other) - fn);
    }

    /// <summary>The bins from the highest raw score down, each a tied group of (Σ c, Σ (1 − c)) over both sketches.</summary>
    private static double Roc(WindowCounts window, string @class)
    {
        var predicted = SketchName(@class, true);
        var other = SketchName(@class, false);
        var counts = (window.SumCounts.GetValueOrDefault(predicted), window.SumCounts.GetValueOrDefault(other));
        var sums = (window.Sums.GetValueOrDefault(predicted), window.Sums.GetValueOrDefault(other));
        var groups = new List<(double, double)>(ScoreBins);
        for (var bin = ScoreBins - 1; bin >= 0; bin--)
        {
            var n = (counts.Item1?[bin] ?? 0) + (counts.Item2?[bin] ?? 0);
            if (n == 0)
            {
                continue;
            }

            var positive = (sums.Item1?[bin] ?? 0) + (sums.Item2?[bin] ?? 0);
            groups.Add((positive, n - positive));
        }

        return ExpectedRoc.Area(groups);
    }

    private static Dictionary<string, double> EstimateDle(WindowCounts window, long rows)
    {
        if (rows == 0)
        {
            return [];
        }

        // Mean predicted loss per metric; RMSE is the root of the mean predicted squared error (nannyml/performance_estimation/direct_loss_estimation/metrics.py).
        return new Dictionary<string, double>
        {
            [MetricNames.Mae] = Total(window.Sums, AbsoluteLossSketch) / rows,
            [MetricNames.Rmse] = Math.Sqrt(Total(window.Sums, SquaredLossSketch) / rows),
        };
    }

    private static long Count(WindowCounts window, string name) => window.SumCounts.TryGetValue(name, out var counts) ? counts.Sum() : 0;

    private static double Total(IReadOnlyDictionary<string, double[]> sums, string name) => sums.TryGetValue(name, out var values) ? values.Sum() : 0;
}

/// <summary>DLE's two loss models (blob paths) and their check on the reference half they did not learn from.</summary>
public sealed record LossModels(string AbsolutePath, string SquaredPath, IReadOnlyList<string> Inputs, IReadOnlyDictionary<string, double> Check);
