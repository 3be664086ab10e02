using Stratus.Experiments.Statistics;

namespace Stratus.Experiments.Analysis;

/// <summary>One variant's exposed units and its metric per unit, with a 95 % interval.</summary>
public sealed record VariantReadout(string Variant, long Units, double Mean, Interval Interval);

/// <summary>A variant against control.</summary>
public sealed record VariantComparison(string Variant, Comparison Comparison, bool Significant, bool Better);

/// <summary>What <c>GET …/experiments/{experiment}</c> reports of the statistics, and what to do.</summary>
public sealed record ExperimentReadout(
    IReadOnlyList<VariantReadout> Variants,
    IReadOnlyList<VariantComparison> Comparisons,
    double SampleRatioPValue,
    bool SampleRatioMismatch,
    double? UnitsNeededPerVariant,
    double MixtureVariance,
    string Decision,
    string Reason);
