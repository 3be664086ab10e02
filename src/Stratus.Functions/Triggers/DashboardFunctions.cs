using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using Stratus.Core.Errors;
using Stratus.Core.Http;
using Stratus.Dashboard;
using Stratus.Functions.Http;

namespace Stratus.Functions.Triggers;

/// <summary>The dashboard's page and bundle, served by the function app itself (no second backend), anonymously.</summary>
public sealed class DashboardFunctions(DashboardAssets assets)
{
    [Function(nameof(Dashboard))]
    public IActionResult Dashboard(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Dashboard)] HttpRequest request,
        string? path)
    {
        // "/ui" without its slash would resolve the page's relative asset paths against "/".
        if (string.IsNullOrEmpty(path) && !request.Path.Value!.EndsWith('/'))
        {
            return ApiResults.Status(StatusCodes.Status302Found, r => r.Headers.Location = Routes.DashboardRoot);
        }

        var asset = assets.Find(path) ?? throw DomainException.NotFound("No such file", $"The dashboard has no file '{path}'.");
        var representation = asset.For(request.Headers.AcceptEncoding.ToString());
        void Headers(HttpResponse response)
        {
            var headers = response.Headers;
            headers.ETag = representation.ETag;
            headers.CacheControl = "no-cache"; // names are not content-hashed: revalidate, a 304 costs nothing
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = DashboardAssets.ContentSecurityPolicy;
            headers["Referrer-Policy"] = "no-referrer";
            headers.Vary = HeaderNames.AcceptEncoding;
            if (representation.ContentEncoding is { } encoding)
            {
                headers.ContentEncoding = encoding;
            }
        }

        return request.Headers.IfNoneMatch.ToString() == representation.ETag
            ? ApiResults.Status(StatusCodes.Status304NotModified, Headers)
            : ApiResults.Content(representation.Body, asset.ContentType, Headers);
    }
}
