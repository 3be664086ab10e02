using System.Globalization;
using Stratus.Core.Monitoring;
using Stratus.Monitoring.Sketches;

namespace Stratus.Monitoring;

/// <summary>One feature (or output) of a reference set: its kind, its bins, and the reference's own counts over them.</summary>
public sealed record FeatureReference(string Name, string Kind, IReadOnlyList<double>? Edges, IReadOnlyList<string>? Categories, IReadOnlyList<long> Counts, long Missing);

/// <summary>
/// "How this version behaved when it was validated": per feature, the reference rows' sketch. Live windows are binned
/// on the same edges and categories, so their counts compare (and merge) bin for bin.
/// </summary>
public sealed record MonitoringReference(long Rows, IReadOnlyList<FeatureReference> Features)
{
    /// <summary>Identifies this reference among a version's references over time; windows record which one they counted for.</summary>
    public string Id { get; init; } = "";

    /// <summary>Count-and-sum sketches performance estimation records (none without an estimator).</summary>
    public IReadOnlyList<Estimation.SumSketch> Sums { get; init; } = [];

    /// <summary>
    /// Builds the reference from rows of values (numbers or text) in <paramref name="names"/> order. A column's kind is
    /// <paramref name="kinds"/>' entry (<see cref="DriftEvaluator.Numeric"/> or <see cref="DriftEvaluator.Categorical"/>),
    /// or, where that is null, numeric when every present value parses as a number; a numeric column with no values
    /// at all is kept as categorical (only its missing count means anything).
    /// </summary>
    public static MonitoringReference Build(IReadOnlyList<string> names, IReadOnlyList<IReadOnlyList<string?>> rows, int quantiles = 100, IReadOnlyList<string?>? kinds = null)
    {
        var features = names.Select((name, c) =>
        {
            var column = rows.Select(r => r[c]).ToArray();
            var present = column.Where(v => !string.IsNullOrEmpty(v) && v != "NaN").ToArray();
            var numeric = kinds?[c] is { } kind
                ? kind == DriftEvaluator.Numeric
                : present.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            if (numeric && present.Length > 0)
            {
                var values = column.Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : double.NaN).ToArray();
                var sketch = NumericSketch.FromReference(values, quantiles);
                return new FeatureReference(name, DriftEvaluator.Numeric, sketch.Edges, null, sketch.Counts, sketch.Missing);
            }

            var categories = CategoricalSketch.FromReference(column);
            return new FeatureReference(name, DriftEvaluator.Categorical, null, categories.Categories, categories.Counts, categories.Missing);
        }).ToArray();
        return new MonitoringReference(rows.Count, features);
    }

    /// <summary>The drift of a merged live window against this reference.</summary>
    public DriftReport Compare(WindowCounts live, DriftThresholds thresholds)
    {
        var features = Features.Where(f => live.Bins.ContainsKey(f.Name)).Select(f =>
        {
            var counts = live.Bins[f.Name];
            var missing = live.Missing.GetValueOrDefault(f.Name);
            if (f.Kind == DriftEvaluator.Numeric)
            {
                return DriftEvaluator.Evaluate(f.Name, NumericSketch.Restore(f.Edges!, f.Counts, f.Missing), NumericSketch.Restore(f.Edges!, counts, missing), thresholds);
            }

            return DriftEvaluator.Evaluate(f.Name, CategoricalSketch.Restore(f.Categories!, f.Counts, f.Missing), CategoricalSketch.Restore(f.Categories!, counts, missing), thresholds);
        }).ToArray();
        return DriftEvaluator.Report(live.Rows, features, thresholds);
    }
}
