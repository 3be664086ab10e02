namespace Stratus.Core.Models;

/// <summary>One move of an alias: where it points now (null: removed), where it pointed before (null: nowhere), and when.</summary>
public sealed record AliasChange(string Alias, int? Version, int? Previous, DateTimeOffset At);
