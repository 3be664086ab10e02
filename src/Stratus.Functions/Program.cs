using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Stratus.Functions;
using Stratus.Functions.Http;
using Stratus.Storage;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<HttpPipelineMiddleware>();
builder.Services.AddStratus(builder.Configuration);

var app = builder.Build();
try
{
    await StorageInitializer.EnsureCreatedAsync(app.Services.GetRequiredService<StorageClients>());
}
catch (Exception e)
{
    // Don't crash the worker over a transient storage error: requests will report it (503) until it clears.
    app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Stratus.Startup").LogError(e, "Could not ensure Stratus containers and tables exist");
}

await app.RunAsync();
