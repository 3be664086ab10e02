namespace Stratus.Core.Training;

/// <summary>
/// The metric formulas, defined once: training and champion scoring (on ONNX Runtime's output, so a candidate and
/// the champion are measured the same way), references and realized metrics from feedback all use them. Log loss
/// uses the natural logarithm, as scikit-learn does.
/// </summary>
public static class MetricFormulas
{
    private const double Epsilon = 1e-15;

    public static Dictionary<string, double> Binary(double[] labels, IReadOnlyList<float> probability)
    {
        int tp = 0, fp = 0, fn = 0, correct = 0;
        double logLoss = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var positive = labels[i] == 1;
            var predicted = probability[i] > 0.5;
            correct += positive == predicted ? 1 : 0;
            tp += positive && predicted ? 1 : 0;
            fp += !positive && predicted ? 1 : 0;
            fn += positive && !predicted ? 1 : 0;
            var p = Math.Clamp(probability[i], Epsilon, 1 - Epsilon);
            logLoss -= positive ? Math.Log(p) : Math.Log(1 - p);
        }

        var precision = tp + fp == 0 ? 0 : tp / (double)(tp + fp);
        var recall = tp + fn == 0 ? 0 : tp / (double)(tp + fn);
        return new Dictionary<string, double>
        {
            [MetricNames.Auc] = Auc(labels, probability),
            [MetricNames.Accuracy] = correct / (double)labels.Length,
            [MetricNames.F1] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall),
            [MetricNames.LogLoss] = logLoss / labels.Length,
        };
    }

    /// <summary>Area under the ROC curve via the rank-sum (Mann–Whitney) statistic, ties counted half.</summary>
    public static double Auc(double[] labels, IReadOnlyList<float> scores)
    {
        var order = Enumerable.Range(0, labels.Length).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        var positives = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }

            var averageRank = (start + end) / 2.0 + 1;
            for (var k = start; k <= end; k++)
            {
                if (labels[order[k]] == 1)
                {
                    rankSum += averageRank;
                    positives++;
                }
            }

            start = end + 1;
        }

        var negatives = labels.Length - positives;
        return positives == 0 || negatives == 0 ? double.NaN : (rankSum - positives * (positives + 1) / 2.0) / (positives * (double)negatives);
    }

    public static Dictionary<string, double> Multiclass(double[] labels, float[] scores, int classes)
    {
        var correct = 0;
        var perClass = new int[classes];
        var perClassCorrect = new int[classes];
        double logLoss = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var row = scores.AsSpan(i * classes, classes);
            var predicted = 0;
            for (var c = 1; c < classes; c++)
            {
                predicted = row[c] > row[predicted] ? c : predicted;
            }

            var actual = (int)labels[i];
            perClass[actual]++;
            if (predicted == actual)
            {
                correct++;
                perClassCorrect[actual]++;
            }

            logLoss -= Math.Log(Math.Clamp(row[actual], Epsilon, 1));
        }

        var micro = correct / (double)labels.Length;
        return new Dictionary<string, double>
        {
            [MetricNames.MicroAccuracy] = micro,
            [MetricNames.Accuracy] = micro,
            [MetricNames.MacroAccuracy] = Enumerable.Range(0, classes).Where(c => perClass[c] > 0).Average(c => perClassCorrect[c] / (double)perClass[c]),
            [MetricNames.LogLoss] = logLoss / labels.Length,
        };
    }

    public static Dictionary<string, double> Regression(double[] labels, IReadOnlyList<float> predictions)
    {
        double squared = 0, absolute = 0, mean = labels.Average(), total = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var error = labels[i] - predictions[i];
            squared += error * error;
            absolute += Math.Abs(error);
            total += (labels[i] - mean) * (labels[i] - mean);
        }

        return new Dictionary<string, double>
        {
            [MetricNames.Rmse] = Math.Sqrt(squared / labels.Length),
            [MetricNames.Mae] = absolute / labels.Length,
            [MetricNames.R2] = total == 0 ? double.NaN : 1 - squared / total,
        };
    }

    /// <summary>Macro one-vs-rest ROC AUC over the classes that have both positives and negatives among <paramref name="labels"/> (class indices).</summary>
    public static double MacroAuc(double[] labels, float[] scores, int classes)
    {
        var aucs = new List<double>();
        for (var c = 0; c < classes; c++)
        {
            var positive = labels.Select(l => l == c ? 1.0 : 0.0).ToArray();
            var score = Enumerable.Range(0, labels.Length).Select(i => scores[(i * classes) + c]).ToArray();
            var auc = Auc(positive, score);
            if (!double.IsNaN(auc))
            {
                aucs.Add(auc);
            }
        }

        return aucs.Count == 0 ? double.NaN : aucs.Average();
    }

    /// <summary>Accuracy and macro F1 from predicted and true class indices (F1 averaged over the classes that occur in either).</summary>
    public static (double Accuracy, double MacroF1) Classification(IReadOnlyList<int> predicted, IReadOnlyList<int> actual, int classes)
    {
        var tp = new int[classes];
        var fp = new int[classes];
        var fn = new int[classes];
        var correct = 0;
        for (var i = 0; i < actual.Count; i++)
        {
            if (predicted[i] == actual[i])
            {
                correct++;
                tp[actual[i]]++;
            }
            else
            {
                fp[predicted[i]]++;
                fn[actual[i]]++;
            }
        }

        var present = Enumerable.Range(0, classes).Where(c => tp[c] + fp[c] + fn[c] > 0).ToArray();
        var f1 = present.Length == 0 ? double.NaN : present.Average(c => 2.0 * tp[c] / ((2.0 * tp[c]) + fp[c] + fn[c]));
        return (actual.Count == 0 ? double.NaN : correct / (double)actual.Count, f1);
    }
}
