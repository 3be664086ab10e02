namespace Stratus.Dashboard;

/// <summary>One bundled file of the dashboard: its bytes and a gzip copy, each with its own strong ETag, and its media type.</summary>
public sealed record DashboardAsset(string Name, string ContentType, string ETag, ReadOnlyMemory<byte> Content, string GzipETag, ReadOnlyMemory<byte> Gzipped)
{
    /// <summary>The representation for a request's <c>Accept-Encoding</c>: gzip when it is accepted (q above 0), else identity.</summary>
    public DashboardRepresentation For(string? acceptEncoding) =>
        AcceptsGzip(acceptEncoding) ? new(Gzipped, GzipETag, "gzip") : new(Content, ETag, null);

    private static bool AcceptsGzip(string? acceptEncoding)
    {
        foreach (var part in (acceptEncoding ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var pieces = part.Split(';', StringSplitOptions.TrimEntries);
            if (pieces[0] is "gzip" or "*")
            {
                var q = pieces.Skip(1).FirstOrDefault(p => p.StartsWith("q=", StringComparison.Ordinal));
                return q is null || !double.TryParse(q[2..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var weight) || weight > 0;
            }
        }

        return false;
    }
}

/// <summary>What goes on the wire for one request: the bytes, their ETag, and the Content-Encoding (null: identity).</summary>
public sealed record DashboardRepresentation(ReadOnlyMemory<byte> Body, string ETag, string? ContentEncoding);
