namespace Stratus.Dashboard;

/// <summary>One bundled file of the dashboard: its bytes, a gzip copy, its media type and a strong ETag of its content.</summary>
public sealed record DashboardAsset(string Name, string ContentType, string ETag, ReadOnlyMemory<byte> Content, ReadOnlyMemory<byte> Gzipped);
