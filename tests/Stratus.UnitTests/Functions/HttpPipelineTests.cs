using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Stratus.Core.Errors;
using Stratus.Functions.Http;

namespace Stratus.Tests.Unit;

public sealed class HttpPipelineTests
{
    private static async Task<(DefaultHttpContext Context, JsonElement Body)> Run(string path, Exception? failure, string? requestId = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();
        if (requestId is not null)
        {
            context.Request.Headers["x-request-id"] = requestId;
        }

        await HttpPipeline.RunAsync(context, () => failure is null ? Task.CompletedTask : Task.FromException(failure), NullLogger.Instance);
        context.Response.Body.Position = 0;
        var body = context.Response.Body.Length == 0 ? default : JsonDocument.Parse(context.Response.Body).RootElement;
        return (context, body);
    }

    [Fact]
    public async Task Problems_become_rfc9457_with_request_id()
    {
        var (context, body) = await Run("/api/models/x", DomainException.NotFound("Model not found", "no x"), "abc-1");
        Assert.Equal(404, context.Response.StatusCode);
        Assert.StartsWith("application/problem+json", context.Response.ContentType);
        Assert.Equal("Model not found", body.GetProperty("title").GetString());
        Assert.Equal("no x", body.GetProperty("detail").GetString());
        Assert.Equal(404, body.GetProperty("status").GetInt32());
        Assert.Equal("abc-1", body.GetProperty("requestId").GetString());
        Assert.Equal("abc-1", context.Response.Headers["x-request-id"].ToString());
    }

    [Fact]
    public async Task Open_inference_routes_get_the_protocol_error_shape()
    {
        var (context, body) = await Run("/v2/models/x/infer", DomainException.Invalid("Invalid", "bad tensor"));
        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal("bad tensor", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Unexpected_errors_are_500_without_internals_and_retry_after_is_sent()
    {
        var (context, body) = await Run("/api/x", new InvalidOperationException("secret connection string"));
        Assert.Equal(500, context.Response.StatusCode);
        Assert.DoesNotContain("secret", body.GetRawText());

        var (busy, _) = await Run("/api/x", DomainException.Unavailable("Busy", "later", TimeSpan.FromSeconds(2.5)));
        Assert.Equal("3", busy.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task Unsafe_caller_request_ids_are_replaced_by_generated_locatable_ones()
    {
        var (context, _) = await Run("/api/x", null, "bad id\r\nwith newline");
        var id = context.Response.Headers["x-request-id"].ToString();
        Assert.True(Stratus.Core.Http.LocatableRequestIds.TryLocate(id, out _), id);
        Assert.DoesNotContain(" ", id);
    }

    /// <summary>A stream whose first read fails, like an artifact blob deleted between lookup and download.</summary>
    private sealed class FailingStream(Exception failure) : MemoryStream
    {
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromException<int>(failure);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(failure);
    }

    [Fact]
    public async Task A_result_that_fails_while_writing_still_answers_problem_json_outside_the_middleware()
    {
        // Under the Functions worker, results execute after the middleware returned: they must guard themselves.
        var context = new DefaultHttpContext();
        context.Request.Path = "/api/models/x/versions/1/artifact";
        context.Response.Body = new MemoryStream();
        var result = ApiResults.Bytes(new FailingStream(DomainException.NotFound("Artifact missing", "gone")), "application/octet-stream", "x.onnx");
        await result.ExecuteResultAsync(new Microsoft.AspNetCore.Mvc.ActionContext { HttpContext = context });

        Assert.Equal(404, context.Response.StatusCode);
        Assert.StartsWith("application/problem+json", context.Response.ContentType);
        Assert.False(context.Response.Headers.ContainsKey("Content-Disposition"));
        context.Response.Body.Position = 0;
        Assert.Equal("gone", JsonDocument.Parse(context.Response.Body).RootElement.GetProperty("detail").GetString());
    }
}
