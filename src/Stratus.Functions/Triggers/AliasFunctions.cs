using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Stratus.Core.Http;
using Stratus.Core.Errors;
using Stratus.Functions.Http;
using Stratus.Registry;

namespace Stratus.Functions.Triggers;

/// <summary>Aliases (admin): <c>champion</c> is what predict serves by default.</summary>
public sealed class AliasFunctions(ModelManagementService models)
{
    [Function(nameof(SetAlias))]
    public async Task<IActionResult> SetAlias(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = Routes.Alias)] HttpRequest request,
        string name,
        string alias,
        CancellationToken cancellationToken)
    {
        var body = await RequestBodies.ReadJsonAsync<AliasRequest>(request, cancellationToken);
        if (body.Version is not { } version || version < 1)
        {
            throw DomainException.Invalid("Invalid alias", "The body must be {\"version\": n} with n ≥ 1.");
        }

        // If-Match (the ETag of GET …/models/{name}) makes the move conditional: a card changed meanwhile is a 412.
        var ifMatch = request.Headers.IfMatch.ToString() is { Length: > 0 } etag ? etag : null;
        var card = await models.SetAliasAsync(name, alias, version, ifMatch, cancellationToken);
        return ApiResults.Json(new { model = name, alias, version, aliases = card.Value.Aliases }, headers: r => r.Headers.ETag = card.ETag);
    }

    [Function(nameof(RemoveAlias))]
    public async Task<IActionResult> RemoveAlias(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = Routes.Alias)] HttpRequest request,
        string name,
        string alias,
        CancellationToken cancellationToken)
    {
        await models.RemoveAliasAsync(name, alias, cancellationToken);
        return ApiResults.NoContent();
    }

    public sealed record AliasRequest(int? Version);
}
