using System.Net.Http.Headers;

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
            if (StringWithQualityHeaderValue.TryParse(part, out var coding) && coding.Value is "gzip" or "*")
            {
                return coding.Quality is not <= 0;
            }
        }

        return false;
    }
}

/// <summary>What goes on the wire for one request: the bytes, their ETag, and the Content-Encoding (null: identity).</summary>
public sealed record DashboardRepresentation(ReadOnlyMemory<byte> Body, string ETag, string? ContentEncoding);
