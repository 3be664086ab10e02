using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Stratus.Core.Abstractions;
using Stratus.Functions.Triggers;

namespace Stratus.Tests.Unit;

/// <summary>The anonymous health route says what is down, never why: details go to the log.</summary>
public sealed class HealthFunctionsTests
{
    [Fact]
    public async Task A_failing_check_reads_unavailable_with_no_exception_type_or_message()
    {
        var registry = new Mock<IModelRegistry>();
        registry.Setup(r => r.PingAsync(It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("ManagedIdentityCredential authentication failed: secret tenant detail"));
        var durable = new Mock<DurableTaskClient>("test");
        var context = new DefaultHttpContext { Response = { Body = new MemoryStream() } };

        var result = await new HealthFunctions(registry.Object, NullLogger<HealthFunctions>.Instance).Health(context.Request, durable.Object, CancellationToken.None);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor()));

        context.Response.Body.Position = 0;
        var text = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(("unhealthy", "unavailable", "ok"), (body.GetProperty("status").GetString(), body.GetProperty("checks").GetProperty("storage").GetString(), body.GetProperty("checks").GetProperty("engine").GetString()));
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(InvalidOperationException), text, StringComparison.Ordinal);
    }
}
