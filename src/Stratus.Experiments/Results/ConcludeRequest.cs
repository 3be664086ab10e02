namespace Stratus.Experiments.Results;

/// <summary>
/// The body of <c>POST …/experiments/{experiment}/conclude</c>, all optional: who concludes (default: the signed-in
/// principal, else "admin"), why, and a variant to ship instead of the readout's decision (a person's call, recorded as such).
/// </summary>
public sealed record ConcludeRequest(string? By, string? Reason, string? Variant);
