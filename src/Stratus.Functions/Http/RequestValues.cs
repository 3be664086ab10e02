using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Stratus.Functions.Http;

/// <summary>
/// The first value of a query parameter or header, or null. Without allocating on the serving path: a request with no
/// query string never builds the query collection, and no <see cref="StringValues"/> is boxed to be enumerated.
/// </summary>
public static class RequestValues
{
    public static string? Query(HttpRequest request, string name) =>
        request.QueryString.HasValue ? First(request.Query[name]) : null;

    public static string? Header(HttpRequest request, string name) => First(request.Headers[name]);

    private static string? First(StringValues values) => values.Count > 0 ? values[0] : null;
}
