using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Stratus.Serving.Observation;

/// <summary>
/// The one observation hook on the served path. The request path calls <see cref="Publish"/> with a recipe for the
/// observation; nothing is built, copied or queued when no observer is registered. Otherwise the recipe goes into a
/// bounded queue (dropped and counted when full: observing must never slow or fail a caller) and a background reader
/// builds the <see cref="ServedPrediction"/> (decoding a GPU-tier answer, for instance) and hands it to each observer.
/// </summary>
public sealed partial class PredictionObservations : BackgroundService
{
    /// <summary>Observations waiting beyond this are dropped.</summary>
    public const int QueueCapacity = 10_000;

    /// <summary>
    /// How long the reader lets observations gather after it has emptied the queue. Waking a parked reader for every
    /// served request cost more CPU than observing it (a thread-pool hop and a futex per request at moderate load); one
    /// wake per interval makes that cost vanish, and an observation is at most this late.
    /// </summary>
    public static readonly TimeSpan GatherInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Queued observations that wake the reader before <see cref="GatherInterval"/> is up. Under load a queue holding
    /// 20 ms of calls kept hundreds of them (their bound inputs and outputs) alive across every gen-0 collection, which
    /// promoted them all and lengthened its pause; at this size the reader runs every few milliseconds at full load and
    /// still once per interval when traffic is light.
    /// </summary>
    public const int GatherBatch = 64;

    private readonly IPredictionObserver[] _observers;
    private readonly bool _observesAll;
    private readonly Channel<Func<ServedPrediction?>> _queue;
    private readonly Counter<long> _dropped;
    private readonly ILogger<PredictionObservations> _logger;
    private readonly TimeProvider _clock;
    private TaskCompletionSource _hurry = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _queued;

    public PredictionObservations(IEnumerable<IPredictionObserver> observers, ServingTelemetry telemetry, TimeProvider clock, ILogger<PredictionObservations> logger)
    {
        _observers = observers.ToArray();
        _observesAll = _observers.Any(o => o.ObservesAll);
        _logger = logger;
        _clock = clock;
        _dropped = telemetry.ObservationsDropped;
        // Unbounded (lock-free for writers) with the bound kept by a counter: a bounded channel takes a lock on every
        // write, which every serving thread would contend on at full load.
        _queue = Channel.CreateUnbounded<Func<ServedPrediction?>>(new UnboundedChannelOptions { SingleReader = true });
    }

    /// <summary>True when some observer listens; callers skip building anything otherwise.</summary>
    public bool IsListening => _observers.Length > 0;

    /// <summary>
    /// True when some observer wants this call: one that observes every call (monitoring), or, for a call an
    /// experiment routed, any observer (exposures). With monitoring off, unrouted calls publish nothing.
    /// </summary>
    public bool Wants(Registry.VariantAssignment? assignment) => _observesAll || (assignment is not null && _observers.Length > 0);

    /// <summary>Queues an observation; <paramref name="describe"/> runs later, on the background reader.</summary>
    public void Publish(Func<ServedPrediction> describe)
    {
        if (_observers.Length == 0)
        {
            return;
        }

        var queued = Interlocked.Increment(ref _queued);
        if (queued > QueueCapacity || !_queue.Writer.TryWrite(describe))
        {
            Interlocked.Decrement(ref _queued);
            _dropped.Add(1);
        }
        else if (queued == GatherBatch)
        {
            Hurry();
        }
    }

    /// <summary>
    /// Publishes a call an experiment routed that failed after its version was chosen: no rows, the error's kind
    /// (a domain error's, else "error"), so the variant's error rate counts it. Other failures are not observed.
    /// </summary>
    public void PublishFailure(string model, Registry.VersionChoice choice, string requestId, string protocol, TimeSpan elapsed, Exception error)
    {
        if (choice.Assignment is not { } assignment || !Wants(assignment))
        {
            return;
        }

        var at = _clock.GetUtcNow();
        var kind = error is Core.Errors.DomainException domain ? domain.Kind.ToString() : "Error";
        Publish(() => new ServedPrediction(model, choice.Version, requestId, protocol, Core.Models.ServingTier.Cpu, 0, [], [], at, assignment, elapsed, kind));
    }

    /// <summary>
    /// Completes once every observation published before this call was delivered (flushing on demand, and tests):
    /// a marker goes through the same single reader, after everything ahead of it.
    /// </summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        if (_observers.Length == 0)
        {
            return;
        }

        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Increment(ref _queued);
        await _queue.Writer.WriteAsync(() =>
        {
            delivered.TrySetResult();
            return null;
        }, cancellationToken);
        Hurry();
        await delivered.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops accepting observations and waits until the queued ones were delivered (shutdown, and tests).</summary>
    public async Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        Hurry();
        if (ExecuteTask is { } reader)
        {
            await reader;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Deliver what is queued while the host allows; observers then see every served call up to shutdown.
        _queue.Writer.TryComplete();
        Hurry();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_observers.Length == 0)
        {
            return;
        }

        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (_queue.Reader.TryRead(out var describe))
                {
                    Interlocked.Decrement(ref _queued);
                    await DeliverAsync(describe, stoppingToken);
                }

                await GatherAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // host stopping
        }
    }

    /// <summary>Waits <see cref="GatherInterval"/>, or less when a drain or shutdown asks for the queue now.</summary>
    private async Task GatherAsync(CancellationToken stoppingToken)
    {
        var hurry = Volatile.Read(ref _hurry);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        await Task.WhenAny(Task.Delay(GatherInterval, _clock, stop.Token), hurry.Task);
        await stop.CancelAsync();
        if (hurry.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _hurry, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), hurry);
        }
    }

    private void Hurry() => Volatile.Read(ref _hurry).TrySetResult();

    /// <summary>Builds one observation and hands it to every observer; a failing observer is logged and skipped.</summary>
    internal async Task DeliverAsync(Func<ServedPrediction?> describe, CancellationToken cancellationToken)
    {
        ServedPrediction? prediction;
        try
        {
            prediction = describe();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogDescribeFailed(e);
            return;
        }

        if (prediction is null)
        {
            return; // a drain marker
        }

        foreach (var observer in _observers)
        {
            try
            {
                await observer.ObserveAsync(prediction, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogObserverFailed(e, observer.GetType().Name, prediction.Model, prediction.Version);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A served prediction could not be described for its observers")]
    private partial void LogDescribeFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Observer {Observer} failed on model {Model} version {Version}")]
    private partial void LogObserverFailed(Exception exception, string observer, string model, int version);
}
