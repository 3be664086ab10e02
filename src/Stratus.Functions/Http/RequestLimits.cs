using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Stratus.Core.Configuration;
using Stratus.Core.Http;

namespace Stratus.Functions.Http;

/// <summary>
/// The largest body each route takes, from its setting: the server stops reading there (chunked bodies included),
/// so a client that declares or streams more than a route allows cannot make the app buffer it.
/// </summary>
public static class RequestLimits
{
    /// <summary>Management bodies (cards, aliases, train specs): small JSON.</summary>
    public const long MaxJsonBytes = 1024 * 1024;

    private static readonly (TemplateMatcher Route, Func<StratusOptions, long> Limit)[] Limits =
    [
        (Matcher(Routes.Predict), o => o.Serving.MaxRequestBytes),
        (Matcher(Routes.V2Infer), o => o.Serving.MaxRequestBytes),
        (Matcher(Routes.V2VersionInfer), o => o.Serving.MaxRequestBytes),
        (Matcher(Routes.Versions), o => o.Registry.MaxUploadBytes),
        (Matcher(Routes.Dataset), o => o.Datasets.MaxUploadBytes),
    ];

    public static long For(PathString path, StratusOptions options)
    {
        foreach (var (route, limit) in Limits)
        {
            if (route.TryMatch(path, new RouteValueDictionary()))
            {
                return limit(options);
            }
        }

        return MaxJsonBytes;
    }

    private static TemplateMatcher Matcher(string route) => new(TemplateParser.Parse(route), new RouteValueDictionary());
}
