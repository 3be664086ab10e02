using System.Globalization;
using System.Text;

namespace Stratus.Tests.Fixtures;

/// <summary>
/// Seeded synthetic datasets with known truth, for performance estimation: rows come from a fixed generating model,
/// so every label (and how shifted rows should behave) is known.
/// </summary>
public static class SyntheticData
{
    public static readonly string[] Features = ["x1", "x2", "x3", "segment"];
    public static readonly string[] Segments = ["a", "b", "c"];

    /// <summary>One row: three numbers, a category, and its label (0/1) or target value.</summary>
    public sealed record Row(double X1, double X2, double X3, string Segment, double Label)
    {
        public Dictionary<string, object> Instance => new() { ["x1"] = X1, ["x2"] = X2, ["x3"] = X3, ["segment"] = Segment };
    }

    /// <summary>How rows are drawn: <see cref="X1Shift"/> moves x1's mean (in standard deviations), <see cref="SegmentShares"/> the categories' shares.</summary>
    public sealed record Shift(double X1Shift = 0, double[]? SegmentShares = null)
    {
        public static Shift None { get; } = new();
    }

    /// <summary>
    /// Binary labels from a logistic model: logit = 1.5·x1 − 1.0·x2 + 0.5·x3 + (a: 0, b: 0.8, c: −0.8).
    /// <paramref name="concept"/> changes the labelling itself (x1's sign flipped) while the inputs stay the same.
    /// </summary>
    public static Row[] Logistic(int rows, int seed, Shift? shift = null, bool concept = false)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ =>
        {
            var (x1, x2, x3, segment) = Inputs(random, shift ?? Shift.None);
            var logit = ((concept ? -1.5 : 1.5) * x1) - x2 + (0.5 * x3) + segment switch { "b" => 0.8, "c" => -0.8, _ => 0 };
            var label = random.NextDouble() < 1 / (1 + Math.Exp(-logit)) ? 1 : 0;
            return new Row(x1, x2, x3, segment, label);
        }).ToArray();
    }

    /// <summary>
    /// Regression targets y = 2·x1 + x2 − 0.5·x3 + (b: 1, c: −1) + ε, heteroscedastic: ε's standard deviation is
    /// 0.2 + 0.8·max(0, x1), so shifting x1 up moves rows into the noisier region.
    /// </summary>
    public static Row[] Heteroscedastic(int rows, int seed, Shift? shift = null)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ =>
        {
            var (x1, x2, x3, segment) = Inputs(random, shift ?? Shift.None);
            var noise = Normal(random) * (0.2 + (0.8 * Math.Max(0, x1)));
            var y = (2 * x1) + x2 - (0.5 * x3) + segment switch { "b" => 1.0, "c" => -1.0, _ => 0 } + noise;
            return new Row(x1, x2, x3, segment, y);
        }).ToArray();
    }

    public static string Csv(IEnumerable<Row> rows)
    {
        var csv = new StringBuilder("x1,x2,x3,segment,label\n");
        foreach (var r in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.X1:R},{r.X2:R},{r.X3:R},{r.Segment},{r.Label:R}\n");
        }

        return csv.ToString();
    }

    private static (double, double, double, string) Inputs(Random random, Shift shift)
    {
        var shares = shift.SegmentShares ?? [0.5, 0.3, 0.2];
        var u = random.NextDouble();
        var segment = u < shares[0] ? "a" : u < shares[0] + shares[1] ? "b" : "c";
        return (Normal(random) + shift.X1Shift, Normal(random), Normal(random), segment);
    }

    /// <summary>Box–Muller: a standard normal from two uniforms.</summary>
    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
