using Microsoft.ML;
using Microsoft.ML.Data;
using Stratus.Core.Datasets;
using Stratus.Core.Training;

namespace Stratus.Training.Pipelines;

/// <summary>Per-feature training distributions: decile bins for numbers, category shares for strings.</summary>
internal static class BaselineBuilder
{
    private const int Bins = 10;
    private const int MaxCategories = 100;

    public static IReadOnlyList<FeatureBaseline> Build(TrainingSpec spec, IDataView train) =>
        spec.Features.Select(f => f.Type == DatasetColumn.Number
            ? Numeric(f.Name, train.GetColumn<float>(f.Name).ToArray())
            : Categorical(f.Name, train.GetColumn<ReadOnlyMemory<char>>(f.Name).Select(v => v.ToString()).ToArray())).ToArray();

    private static FeatureBaseline Numeric(string name, float[] raw)
    {
        var values = raw.Where(v => !float.IsNaN(v)).Select(v => (double)v).Order().ToArray();
        var edges = values.Length == 0
            ? []
            : Enumerable.Range(1, Bins - 1).Select(q => values[Math.Min(values.Length - 1, (int)(q * values.Length / (double)Bins))]).Distinct().ToArray();
        var counts = new long[edges.Length + 1];
        foreach (var v in values)
        {
            var bin = Array.BinarySearch(edges, v);
            counts[bin >= 0 ? bin : ~bin]++;
        }

        return new FeatureBaseline
        {
            Name = name,
            Type = DatasetColumn.Number,
            Count = raw.Length,
            Missing = raw.Length - values.Length,
            BinEdges = edges,
            BinFrequencies = counts.Select(c => values.Length == 0 ? 0 : c / (double)values.Length).ToArray(),
        };
    }

    private static FeatureBaseline Categorical(string name, string[] values)
    {
        var groups = values.Where(v => v.Length > 0).GroupBy(v => v, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToArray();
        var shares = groups.Take(MaxCategories).ToDictionary(g => g.Key, g => g.Count() / (double)values.Length, StringComparer.Ordinal);
        if (groups.Length > MaxCategories)
        {
            shares["__other__"] = groups.Skip(MaxCategories).Sum(g => g.Count()) / (double)values.Length;
        }

        return new FeatureBaseline
        {
            Name = name,
            Type = DatasetColumn.Text,
            Count = values.Length,
            Missing = values.Count(v => v.Length == 0),
            Categories = shares,
        };
    }
}
