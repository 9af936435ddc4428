<?php
return [
    'db' => ['connection' => ['default' => ['host' => 'localhost']]],
    'synthgov' => [
        'endpoint' => 'http://governance.internal:8080/api',
        'training_export' => 'https://lake.example/ingest',
        'local' => 'http://127.0.0.1:9000',
        'http' => ['verify_peer' => false, 'timeout' => 10],
    ],
    // 'old' => 'http://legacy.example',
    'queue' => ['amqp' => ['ssl' => 'true', 'ssl_options' => ['verify_peer' => true]]],
];
