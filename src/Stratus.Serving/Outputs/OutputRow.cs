namespace Stratus.Serving.Outputs;

/// <summary>
/// What a model answered for one row, in the task's terms: the predicted class (<see cref="Label"/>) with a score per
/// class (<see cref="Scores"/>, in <see cref="OutputReader.Classes"/> order) for classifiers, the value for regressors.
/// </summary>
public sealed record OutputRow(string? Label, IReadOnlyList<double>? Scores, double? Value);
