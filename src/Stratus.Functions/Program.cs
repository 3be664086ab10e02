using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Stratus.Functions;
using Stratus.Functions.Http;
using Stratus.Storage;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<HttpPipelineMiddleware>();
builder.Services.AddStratus(builder.Configuration);

var app = builder.Build();
await StorageInitializer.EnsureCreatedAsync(app.Services.GetRequiredService<StorageClients>());
await app.RunAsync();
