namespace Stratus.Experiments.Outcomes;

/// <summary>The body of <c>POST …/experiments/{experiment}/outcomes</c>.</summary>
public sealed record OutcomeRequest(IReadOnlyList<OutcomeEvent?>? Events);

/// <summary>One business event: its id (a duplicate counts once), the unit it belongs to, and its value (0 or 1 for a binary metric).</summary>
public sealed record OutcomeEvent(string? Id, string? Unit, double? Value);
