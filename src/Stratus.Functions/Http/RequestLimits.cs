using Microsoft.AspNetCore.Http;
using Stratus.Core.Configuration;
using Stratus.Core.Http;

namespace Stratus.Functions.Http;

/// <summary>
/// The largest body each route takes, from its setting: the server stops reading there (chunked bodies included),
/// so a client that declares or streams more than a route allows cannot make the app buffer it. Matching is by the
/// route templates' segments, without allocating: it runs on every request.
/// </summary>
public static class RequestLimits
{
    /// <summary>Management bodies (cards, aliases, train specs): small JSON.</summary>
    public const long MaxJsonBytes = 1024 * 1024;

    private static readonly (string?[] Segments, Func<StratusOptions, long> Limit)[] Limits =
    [
        (Shape(Routes.Predict), o => o.Serving.MaxRequestBytes),
        (Shape(Routes.V2Infer), o => o.Serving.MaxRequestBytes),
        (Shape(Routes.V2VersionInfer), o => o.Serving.MaxRequestBytes),
        (Shape(Routes.Versions), o => o.Registry.MaxUploadBytes),
        (Shape(Routes.Dataset), o => o.Datasets.MaxUploadBytes),
        (Shape(Routes.VersionReference), o => o.Datasets.MaxUploadBytes),
    ];

    public static long For(PathString path, StratusOptions options)
    {
        var value = path.Value.AsSpan().Trim('/');
        foreach (var (segments, limit) in Limits)
        {
            if (Matches(value, segments))
            {
                return limit(options);
            }
        }

        return MaxJsonBytes;
    }

    /// <summary>A template's segments: the literal text, or null for a parameter.</summary>
    private static string?[] Shape(string template) =>
        template.Split('/').Select(s => s.StartsWith('{') ? null : s).ToArray();

    private static bool Matches(ReadOnlySpan<char> path, string?[] segments)
    {
        var i = 0;
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (i >= segments.Length || segment.IsEmpty || (segments[i] is { } literal && !segment.Equals(literal, StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }

            i++;
        }

        return i == segments.Length;
    }
}
