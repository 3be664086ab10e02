using Microsoft.Azure.Functions.Worker;
using Stratus.Functions.Http;

namespace Stratus.LocalRunner.Hosting;

/// <summary>Maps every HTTP-triggered function to the same route, verbs and authorization level as under the Functions host.</summary>
public static class HttpFunctionEndpoints
{
    public static void Map(WebApplication app, FunctionCatalog catalog)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Stratus.LocalRunner.Http");
        var keys = app.Services.GetRequiredService<KeyAuthorization>();
        foreach (var function in catalog.Http)
        {
            var trigger = (HttpTriggerAttribute)function.Trigger;
            var invoker = new FunctionInvoker(function, p => function.IsTrigger(p) ? c => c.Http!.Request : null);
            var verbs = trigger.Methods?.Select(m => m.ToUpperInvariant()).ToArray() ?? ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
            var route = "/" + (trigger.Route ?? function.Name);
            app.MapMethods(route, verbs, (HttpContext http) => HttpPipeline.RunAsync(http, async () =>
                {
                    keys.Demand(http.Request, trigger.AuthLevel);
                    var context = new InvocationContext(http.RequestServices, http.RequestAborted, name => http.Request.RouteValues[name]?.ToString()) { Http = http };
                    var result = await invoker.InvokeAsync(context);
                    await ActionResults.ExecuteAsync(result, http);
                }, logger))
                .WithName(function.Name)
                .WithMetadata(new FunctionRouteMetadata(function.Name, trigger.AuthLevel));
        }

    }
}

/// <summary>Marks a runner endpoint with the function it hosts (read by the route-parity test).</summary>
public sealed record FunctionRouteMetadata(string FunctionName, AuthorizationLevel AuthLevel);
