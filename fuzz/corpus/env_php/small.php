<?php
return ['x' => ['url' => 'http://a.example', 'verify_peer' => false]];
