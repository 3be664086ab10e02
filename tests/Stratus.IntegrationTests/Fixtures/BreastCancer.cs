using System.Globalization;

namespace Stratus.Tests.Fixtures;

/// <summary>samples/data/breast_cancer.csv: features, labels, and resampled or shifted copies.</summary>
public sealed record BreastCancer(string Csv, string[] Features, double[][] Rows, int[] Labels)
{
    public static BreastCancer Load()
    {
        var csv = File.ReadAllText(TrainingSpecs.Csv("breast_cancer"));
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = lines[0].Split(',');
        var values = lines.Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        return new BreastCancer(csv, header[..^1], values.Select(v => v[..^1]).ToArray(), values.Select(v => (int)v[^1]).ToArray());
    }

    public double[][] Bootstrap(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (double[])Rows[random.Next(Rows.Length)].Clone()).ToArray();
    }

    /// <summary>The rows with each named feature moved up by one standard deviation (of the whole dataset).</summary>
    public double[][] Shifted(double[][] rows, params string[] features) => Shifted(rows, 1, features);

    /// <summary>The rows with each named feature moved up by <paramref name="deviations"/> standard deviations.</summary>
    public double[][] Shifted(double[][] rows, double deviations, params string[] features)
    {
        foreach (var feature in features)
        {
            var c = Array.IndexOf(Features, feature);
            var mean = Rows.Average(r => r[c]);
            var sd = Math.Sqrt(Rows.Sum(r => (r[c] - mean) * (r[c] - mean)) / (Rows.Length - 1));
            foreach (var row in rows)
            {
                row[c] += deviations * sd;
            }
        }

        return rows;
    }
}
