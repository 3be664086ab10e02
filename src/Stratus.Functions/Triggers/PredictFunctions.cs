using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Stratus.Core.Http;
using Stratus.Functions.Http;
using Stratus.Registry;
using Stratus.ServiceDefaults;
using Stratus.Serving.Routing;

namespace Stratus.Functions.Triggers;

/// <summary>The routing function for JSON rows: resolves the model (and the caller's experiment variant) and serves it.</summary>
public sealed class PredictFunctions(PredictionService predictions)
{
    [Function(nameof(Predict))]
    public async Task<IActionResult> Predict(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.Predict)] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        var target = ServingTarget.Parse(RequestValues.Query(request, "version"), RequestValues.Query(request, "alias"), RequestValues.Header(request, StratusHeaders.Unit));
        var result = await predictions.PredictAsync(name, target, request.Body, request.ContentLength, RequestIds.Get(request.HttpContext), cancellationToken);
        return ApiResults.Writable(result, result.Variant);
    }
}
