using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Stratus.Core.Http;
using Stratus.Serving;
using Stratus.Serving.OpenInference;
using Stratus.Serving.Routing;

namespace Stratus.Functions.Http;

/// <summary>
/// Results that write themselves with the API's JSON conventions, so both hosts (the Functions worker and
/// the local runner) produce byte-identical responses without depending on MVC's formatters.
/// </summary>
public static class ApiResults
{
    public static IActionResult Json<T>(T value, int status = StatusCodes.Status200OK, Action<HttpResponse>? headers = null) =>
        new Result(status, "application/json; charset=utf-8", headers, (response, ct) =>
            JsonSerializer.SerializeAsync(response.Body, value, StratusJson.Options, ct));

    /// <summary>Streams a self-writing response (predictions, V2 outputs) with no intermediate object graph.</summary>
    /// <param name="variant">The experiment variant that served the call, echoed in <c>x-stratus-variant</c>.</param>
    public static IActionResult Writable(IJsonWritable value, string? variant = null) =>
        new Result(StatusCodes.Status200OK, "application/json; charset=utf-8", variant is null ? null : response => response.Headers[StratusHeaders.Variant] = variant, async (response, ct) =>
        {
            await using var writer = new Utf8JsonWriter(response.BodyWriter);
            value.WriteTo(writer);
            await writer.FlushAsync(ct);
        });

    /// <summary>An Open Inference Protocol infer answer: streamed JSON, or binary outputs after their JSON part.</summary>
    public static IActionResult Infer(ServedInference served)
    {
        var body = new InferBody(served.Response);
        return new Result(StatusCodes.Status200OK, body.ContentType, response =>
        {
            if (served.Variant is { } variant)
            {
                response.Headers[StratusHeaders.Variant] = variant;
            }

            if (body.JsonLength is { } jsonLength)
            {
                response.Headers[StratusHeaders.InferenceHeaderContentLength] = jsonLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
                response.ContentLength = body.ContentLength;
            }
        }, (response, ct) => body.WriteAsync(response.BodyWriter, ct));
    }

    public static IActionResult Bytes(Stream content, string contentType, string? fileName = null) =>
        new Result(StatusCodes.Status200OK, contentType, r =>
        {
            if (fileName is not null)
            {
                r.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            }
        }, async (response, ct) =>
        {
            await using (content)
            {
                await content.CopyToAsync(response.Body, ct);
            }
        });

    /// <summary>Bytes already in memory (the dashboard's files), with the caller's headers.</summary>
    public static IActionResult Content(ReadOnlyMemory<byte> body, string contentType, Action<HttpResponse>? headers = null) =>
        new Result(StatusCodes.Status200OK, contentType, response =>
        {
            headers?.Invoke(response);
            response.ContentLength = body.Length;
        }, async (response, ct) => await response.Body.WriteAsync(body, ct));

    /// <summary>A body-less answer (304, a redirect) with the caller's headers.</summary>
    public static IActionResult Status(int status, Action<HttpResponse>? headers = null) => new Result(status, null, headers, null);

    public static IActionResult NoContent() => Status(StatusCodes.Status204NoContent);

    private sealed class Result(int status, string? contentType, Action<HttpResponse>? headers, Func<HttpResponse, CancellationToken, Task>? write) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            var http = context.HttpContext;
            return HttpPipeline.GuardAsync(http, async () =>
            {
                var response = http.Response;
                response.StatusCode = status;
                if (contentType is not null)
                {
                    response.ContentType = contentType;
                }

                headers?.Invoke(response);
                if (write is not null)
                {
                    await write(response, http.RequestAborted);
                }
            }, logger: null);
        }
    }
}
