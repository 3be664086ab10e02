using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Stratus.Core.Training;

namespace Stratus.Functions.Orchestrations;

/// <summary>Activities that start and report training runs through the Durable client (idempotent).</summary>
public static class RunControlActivities
{
    public const string Start = nameof(StartTrainModelActivity);
    public const string Notify = nameof(NotifyRunEndedActivity);

    [Function(Start)]
    public static async Task StartTrainModelActivity([ActivityTrigger] TrainInput input, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        // A redelivered copy of this activity finds the run started and leaves it be.
        await durable.StartOnceAsync(TrainModelOrchestrator.Name, input, input.RunId, cancellationToken);
    }

    [Function(Notify)]
    public static Task NotifyRunEndedActivity([ActivityTrigger] TrainNotice notice, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        durable.RaiseEventAsync(notice.NotifyInstanceId, TrainNotice.EventName(notice.Model), notice, cancellationToken);
}
