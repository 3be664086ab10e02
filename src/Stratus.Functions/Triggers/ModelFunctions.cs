using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Stratus.Core.Abstractions;
using Stratus.Core.Http;
using Stratus.Core.Models;
using Stratus.Functions.Http;
using Stratus.Registry;

namespace Stratus.Functions.Triggers;

/// <summary>Model cards: create/update (admin), list and read (function key).</summary>
public sealed class ModelFunctions(ModelManagementService models, IModelRegistry registry)
{
    [Function(nameof(ListModels))]
    public async Task<IActionResult> ListModels(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Models)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var cards = new List<ModelCard>();
        await foreach (var card in registry.ListCardsAsync(cancellationToken))
        {
            cards.Add(card);
        }

        return ApiResults.Json(new { models = cards });
    }

    [Function(nameof(GetModel))]
    public async Task<IActionResult> GetModel(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Model)] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        var (card, versions) = await models.GetModelAsync(name, cancellationToken);
        return ApiResults.Json(new ModelDetails(card.Value, versions), headers: r => r.Headers.ETag = card.ETag);
    }

    [Function(nameof(PutModel))]
    public async Task<IActionResult> PutModel(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = Routes.Model)] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        var update = await RequestBodies.ReadJsonAsync<ModelCardUpdate>(request, cancellationToken);
        var ifMatch = request.Headers.IfMatch.ToString() is { Length: > 0 } etag ? etag : null;
        var result = await models.UpsertCardAsync(name, update, ifMatch, cancellationToken);
        return ApiResults.Json(result.Card, result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK, r =>
        {
            r.Headers.ETag = result.ETag;
            if (result.Created)
            {
                r.Headers.Location = "/" + Routes.Model.Replace("{name}", name, StringComparison.Ordinal);
            }
        });
    }

    public sealed record ModelDetails(ModelCard Card, IReadOnlyList<ModelVersion> Versions);
}
