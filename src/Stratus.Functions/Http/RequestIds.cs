using System.Buffers;
using Microsoft.AspNetCore.Http;
using Stratus.Core.Http;

namespace Stratus.Functions.Http;

/// <summary>
/// Every request gets an id (the caller's <c>x-request-id</c> when it is a sane token, else a new one),
/// echoed on the response; predictions carry it so feedback can be joined later.
/// </summary>
public static class RequestIds
{
    private const string ItemKey = "stratus.request-id";
    private static readonly SearchValues<char> Allowed = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");

    public static string Get(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var existing) && existing is string id)
        {
            return id;
        }

        string incoming = context.Request.Headers[StratusHeaders.RequestId].ToString();
        id = incoming.Length is > 0 and <= 128 && !incoming.AsSpan().ContainsAnyExcept(Allowed) ? incoming : Guid.NewGuid().ToString("N");
        context.Items[ItemKey] = id;
        return id;
    }
}
