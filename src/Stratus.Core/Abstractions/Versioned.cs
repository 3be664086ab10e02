namespace Stratus.Core.Abstractions;

/// <summary>A stored value with the ETag that guards the next write to it.</summary>
public sealed record Versioned<T>(T Value, string ETag);
