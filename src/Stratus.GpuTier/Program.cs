using Stratus.Core.Configuration;
using Stratus.GpuTier;
using Stratus.GpuTier.Endpoints;
using Stratus.ServiceDefaults;
using Stratus.Storage;

// The GPU tier: the same registry as the function app, Open Inference Protocol at the same paths.
//   dotnet run --project src/Stratus.GpuTier -- --urls http://127.0.0.1:7072
// Settings: AzureWebJobsStorage (connection string, or __accountName with managed identity) and Stratus__Tier__*.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddStratusStorage(builder.Configuration);
builder.Services.AddStratusGpuTier();

// The server stops reading at Stratus' own limit (Stratus__Serving__MaxRequestBytes): a 32-image batch is ~50 MB of
// JSON, past Kestrel's 30 MB default, and nothing beyond the limit is ever buffered.
var maxRequestBytes = builder.Configuration.GetValue(OptionPaths.ServingMaxRequestBytes.Key, new ServingOptions().MaxRequestBytes);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxRequestBytes);

// Graceful shutdown: in-flight and queued inference finish within the drain window before the process exits.
var drain = TimeSpan.FromSeconds(builder.Configuration.GetValue(OptionPaths.TierDrainSeconds.Key, new TierOptions().DrainSeconds));
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = drain);

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapGpuTier();
if (app.Configuration.GetValue<bool>(SettingNames.ExitWithParent))
{
    // The owner (the local runner) holds our standard input open; end of input means it is gone.
    _ = Task.Run(async () =>
    {
        await Console.In.ReadToEndAsync();
        app.Lifetime.StopApplication();
    });
}

app.Run();
