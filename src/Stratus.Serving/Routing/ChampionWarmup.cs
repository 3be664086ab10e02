using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Registry;

namespace Stratus.Serving.Routing;

/// <summary>
/// When an instance starts, scores one all-zero row with each in-process champion (up to
/// <see cref="ServingOptions.WarmupModels"/>) through <see cref="PredictionService.ScoreAsync"/>: the card is cached,
/// the session created and the scoring path compiled before the first caller arrives. Scoring bypasses the
/// observation hook, so monitoring and experiments never see these rows. Runs in the background: health and
/// readiness do not wait for it.
/// </summary>
public sealed partial class ChampionWarmup(
    IModelRegistry registry,
    ModelCatalog catalog,
    PredictionService predictions,
    IOptions<StratusOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ChampionWarmup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var budget = options.Value.Serving.WarmupModels;
        if (budget <= 0)
        {
            return;
        }

        // After the host has started: on two cores, warming while the host starts delayed health by 0.4 s.
        var hostStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => hostStarted.TrySetResult()))
        using (stoppingToken.Register(() => hostStarted.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await hostStarted.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        var clock = Stopwatch.StartNew();
        var warmed = 0;
        try
        {
            await foreach (var listed in registry.ListCardsAsync(stoppingToken))
            {
                if (warmed >= budget)
                {
                    break;
                }

                if (listed.Tier != ServingTier.Cpu || listed.FeatureNames is not { Count: > 0 } features || !listed.Aliases.TryGetValue(Aliases.Champion, out var champion))
                {
                    continue;
                }

                var started = clock.Elapsed;
                try
                {
                    var card = await catalog.GetCardAsync(listed.Name, stoppingToken);
                    using var zeros = JsonDocument.Parse("[[" + string.Join(',', Enumerable.Repeat("0", features.Count)) + "]]");
                    await predictions.ScoreAsync(card, champion, zeros.RootElement, "warmup", stoppingToken);
                    warmed++;
                    LogWarmed(listed.Name, champion, (clock.Elapsed - started).TotalMilliseconds);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogNotWarmed(listed.Name, champion, e.Message); // a model that cannot score zeros is still served
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        LogDone(warmed, clock.Elapsed.TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Warmed {Model} v{Version} in {ElapsedMs} ms")]
    private partial void LogWarmed(string model, int version, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not warm {Model} v{Version}: {Reason}")]
    private partial void LogNotWarmed(string model, int version, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed {Count} champions in {ElapsedMs} ms")]
    private partial void LogDone(int count, double elapsedMs);
}
