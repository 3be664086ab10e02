namespace Stratus.Monitoring.Estimation;

/// <summary>
/// The layout of a sketch that keeps, per bin, a count and a sum of values (the calibrated probabilities CBPE adds up,
/// the losses DLE averages). Like the feature sketches, windows of any number of instances merge by adding.
/// </summary>
public sealed record SumSketch(string Name, int Bins);

/// <summary>One served value for a <see cref="SumSketch"/>: which sketch (by position), which bin, and the value summed there.</summary>
public readonly record struct SumPoint(int Sketch, int Bin, double Value);
