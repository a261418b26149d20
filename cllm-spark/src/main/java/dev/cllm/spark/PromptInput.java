package dev.cllm.spark;

import dev.cllm.train.PromptText;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Reads the prompts and gives each its id: its position in the input, counted the way
 * {@code cllm trajectories} counts (0, 1, ... over the non-blank lines of a JSONL file; over the rows of
 * Parquet files), files taken in name order when the input is a directory. The ids depend on the input only,
 * never on how Spark splits it.
 */
final class PromptInput {
    private PromptInput() {}

    static JavaRDD<PromptText> read(SparkSession spark, String input, PromptFormat format, int limit) {
        FileSystem fs;
        Path path = new Path(input);
        List<Path> files;
        try {
            fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            files = dataFiles(fs, path);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the prompts " + input + ": " + e.getMessage(), e);
        }
        PromptFormat resolved = format != PromptFormat.AUTO
                ? format
                : files.stream()
                                .allMatch(f ->
                                        f.getName().toLowerCase(Locale.ROOT).endsWith(".parquet"))
                        ? PromptFormat.PARQUET
                        : PromptFormat.JSONL;
        return resolved == PromptFormat.PARQUET
                ? parquet(spark, input, files, limit)
                : jsonl(spark, input, files, limit);
    }

    /** The file itself, or a directory's files in name order without Hadoop's hidden ones (_SUCCESS, .crc). */
    private static List<Path> dataFiles(FileSystem fs, Path path) throws IOException {
        if (!fs.exists(path)) throw new IllegalArgumentException("prompt input not found: " + path);
        if (!fs.getFileStatus(path).isDirectory()) return List.of(path);
        List<Path> files = new ArrayList<>();
        for (FileStatus s : fs.listStatus(path)) {
            String name = s.getPath().getName();
            if (s.isFile() && !name.startsWith("_") && !name.startsWith(".")) files.add(s.getPath());
        }
        if (files.isEmpty()) throw new IllegalArgumentException("prompt input " + path + " holds no files");
        files.sort(null);
        return files;
    }

    private static JavaRDD<PromptText> jsonl(SparkSession spark, String input, List<Path> files, int limit) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String[] names = files.stream().map(Path::toString).toArray(String[]::new);
        // Files are listed explicitly so that Hadoop reads them (and Spark numbers their lines) in name order.
        JavaRDD<String> lines = jsc.textFile(String.join(",", names));
        String where = names.length == 1 ? names[0] : input + " (files in name order)";
        return lines.zipWithIndex()
                .filter(line -> !line._1().isBlank())
                .zipWithIndex()
                .filter(numbered -> limit <= 0 || numbered._2() < limit)
                .map(numbered -> {
                    String line = numbered._1()._1().strip();
                    long lineNumber = numbered._1()._2() + 1;
                    try {
                        return PromptText.fromJson(line, toId(numbered._2()));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(where + ": line " + lineNumber + " " + e.getMessage());
                    }
                });
    }

    private static JavaRDD<PromptText> parquet(SparkSession spark, String input, List<Path> files, int limit) {
        Dataset<Row> table =
                spark.read().parquet(files.stream().map(Path::toString).toArray(String[]::new));
        StructField prompt = field(table, "prompt");
        if (prompt == null || !prompt.dataType().equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("prompt input " + input + " has no string column \"prompt\"");
        }
        StructField answer = field(table, "answer");
        if (answer != null && !answer.dataType().equals(DataTypes.StringType)) {
            throw new IllegalArgumentException(
                    "prompt input " + input + " has a column \"answer\" that is not a string");
        }
        Column answerColumn = answer == null ? functions.lit(null).cast(DataTypes.StringType) : functions.col("answer");
        Dataset<Row> ordered = table.select(
                        functions.col("prompt"),
                        answerColumn.as("answer"),
                        functions.col("_metadata.file_path").as("file"),
                        functions.col("_metadata.row_index").as("row"))
                .orderBy("file", "row");
        return ordered.javaRDD()
                .zipWithIndex()
                .filter(numbered -> limit <= 0 || numbered._2() < limit)
                .map(numbered -> {
                    Row row = numbered._1();
                    if (row.isNullAt(0)) {
                        throw new IllegalArgumentException(
                                row.getString(2) + ": row " + row.getLong(3) + " has no prompt");
                    }
                    return new PromptText(
                            toId(numbered._2()), row.getString(0), row.isNullAt(1) ? null : row.getString(1));
                });
    }

    private static StructField field(Dataset<Row> table, String name) {
        return Arrays.stream(table.schema().fields())
                .filter(f -> f.name().equals(name))
                .findFirst()
                .orElse(null);
    }

    private static int toId(long position) {
        if (position > Integer.MAX_VALUE) throw new IllegalArgumentException("more than 2^31 prompts");
        return (int) position;
    }
}
