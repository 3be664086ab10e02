using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace Stratus.Functions.Http;

/// <summary>Runs <see cref="HttpPipeline"/> around HTTP functions under the Functions worker (the local runner uses it directly).</summary>
public sealed class HttpPipelineMiddleware(ILogger<HttpPipelineMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var http = context.GetHttpContext();
        return http is null ? next(context) : HttpPipeline.RunAsync(http, () => next(context), logger);
    }
}
