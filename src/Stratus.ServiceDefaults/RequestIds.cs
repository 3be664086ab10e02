using System.Buffers;
using Microsoft.AspNetCore.Http;
using Stratus.Core.Http;

namespace Stratus.ServiceDefaults;

/// <summary>
/// Every request gets an id (the caller's <c>x-request-id</c> when it is a sane token, else a new
/// <see cref="LocatableRequestIds">locatable</see> one), echoed on the response; predictions carry it so feedback
/// can be joined later.
/// </summary>
public static class RequestIds
{
    private static readonly SearchValues<char> Allowed = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");

    /// <summary>
    /// The request's id. Kept in <see cref="HttpContext.TraceIdentifier"/> (so server logs carry it too) and
    /// recognised there by a feature flag rather than a per-request dictionary.
    /// </summary>
    public static string Get(HttpContext context)
    {
        if (context.Features.Get<RequestIdFeature>() is { } feature)
        {
            return feature.Id;
        }

        string incoming = context.Request.Headers[StratusHeaders.RequestId].ToString();
        var id = incoming.Length is > 0 and <= 128 && !incoming.AsSpan().ContainsAnyExcept(Allowed)
            ? incoming
            : LocatableRequestIds.New((context.RequestServices?.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System).GetUtcNow());
        context.Features.Set(new RequestIdFeature(id));
        context.TraceIdentifier = id;
        return id;
    }

    private sealed record RequestIdFeature(string Id);
}
